"""The EventBus contract against both real buses: Redis Streams and Apache Kafka."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from redis.asyncio import Redis

from argus.application.ports import EventBus, Handler, RetryPolicy
from argus.constants import event_topic
from argus.domain.events import BatchStatusChanged, BatchUploaded, Event, Family
from argus.infrastructure.kafka.bus import KafkaEventBus
from argus.infrastructure.kafka.settings import KafkaSettings
from argus.infrastructure.redis.stream_consumer import ConsumerTuning
from argus.infrastructure.redis.streams_bus import RedisStreamsBus
from tests.conftest import Servers

pytestmark = pytest.mark.integration
NO_WAIT = RetryPolicy(max_attempts=3, backoff_s=0.01)


@pytest.fixture(params=["redis", "kafka"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    if request.param == "redis":
        servers: Servers = request.getfixturevalue("servers")
        client = Redis.from_url(servers.redis_url(db=14))
        await client.flushdb()
        yield RedisStreamsBus(client, tuning=ConsumerTuning(block_ms=50, claim_idle_ms=500))
        await client.flushdb()
        await client.aclose()
        return
    kafka = request.getfixturevalue("kafka")
    settings = KafkaSettings(
        bootstrap=kafka.bootstrap, poll_timeout_ms=100, topic_prefix=f"t{unique()}"
    )
    kafka_bus = KafkaEventBus(settings)
    await kafka_bus.start()
    yield kafka_bus
    await kafka_bus.close()


async def consume(
    bus: EventBus,
    handler: Handler,
    *,
    until: asyncio.Event,
    group: str,
    families: Sequence[str] = (Family.BATCH,),
    on_give_up: Any = None,
) -> None:
    stop = asyncio.Event()
    consumer = bus.consumer(
        group=group, families=families, name=f"{group}-1", concurrency=4, retry=NO_WAIT
    )
    task = asyncio.create_task(consumer.run(handler, stop=stop, on_give_up=on_give_up))
    try:
        await asyncio.wait_for(until.wait(), 60)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


def unique() -> str:
    return uuid.uuid4().hex[:10]


async def test_every_group_receives_every_event(bus: EventBus) -> None:
    tag = unique()
    await bus.publish(
        [BatchUploaded(batch_id=f"{tag}-{i}", vehicle_id="v", total_files=1) for i in range(5)]
    )
    for group in (f"a-{tag}", f"b-{tag}"):
        seen: set[str] = set()
        done = asyncio.Event()

        async def handle(event: Event, seen: set[str] = seen, done: asyncio.Event = done) -> None:
            if event.batch_id.startswith(tag):
                seen.add(event.batch_id)
            if len(seen) == 5:
                done.set()

        await consume(bus, handle, until=done, group=group)
        assert seen == {f"{tag}-{i}" for i in range(5)}


async def test_events_of_one_batch_arrive_in_order(bus: EventBus) -> None:
    tag = unique()
    statuses = [f"s{i}" for i in range(20)]
    await bus.publish([BatchStatusChanged(batch_id=tag, status=s, previous=None) for s in statuses])
    seen: list[str] = []
    done = asyncio.Event()

    async def handle(event: Event) -> None:
        if event.batch_id == tag and isinstance(event, BatchStatusChanged):
            seen.append(event.status)
        if len(seen) == len(statuses):
            done.set()

    await consume(bus, handle, until=done, group=f"order-{tag}")
    assert seen == statuses


async def test_a_handler_that_keeps_failing_is_given_up_once_and_the_rest_flows(
    bus: EventBus,
) -> None:
    tag = unique()
    await bus.publish(
        [
            BatchUploaded(batch_id=f"{tag}-poison", vehicle_id="v", total_files=1),
            BatchUploaded(batch_id=f"{tag}-ok", vehicle_id="v", total_files=1),
        ]
    )
    attempts = 0
    given_up: list[str] = []
    handled: list[str] = []
    done = asyncio.Event()

    async def handle(event: Event) -> None:
        nonlocal attempts
        if event.batch_id == f"{tag}-poison":
            attempts += 1
            raise RuntimeError("poison")
        if event.batch_id.startswith(tag):
            handled.append(event.batch_id)
        if given_up and handled:
            done.set()

    async def give_up(event: Event, error: BaseException) -> None:
        given_up.append(event.batch_id)
        if handled:
            done.set()

    await consume(bus, handle, until=done, group=f"poison-{tag}", on_give_up=give_up)
    assert attempts == NO_WAIT.max_attempts
    assert given_up == [f"{tag}-poison"]
    assert handled == [f"{tag}-ok"]


class CountingDeliveries:
    """In memory, with RedisDeliveryCounter's rules: counts in a row, forgotten once settled."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, int, int], int] = {}
        self.delivered_total = 0

    async def delivered(self, group: str, topic: str, partition: int, offset: int) -> int:
        key = (group, topic, partition, offset)
        self.counts[key] = self.counts.get(key, 0) + 1
        self.delivered_total += 1
        return self.counts[key]

    async def settled(self, group: str, topic: str, partition: int, offset: int) -> None:
        self.counts.pop((group, topic, partition, offset), None)


async def rewind(bootstrap: str, group: str, topic: str, partitions: int) -> None:
    """Set `group`'s committed offsets on `topic` back to 0: every message comes again, as
    after commits lost to a rebalance."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        await consumer.commit(dict.fromkeys(tps, 0))
    finally:
        await consumer.stop()


async def test_kafka_forgets_the_delivery_count_of_every_message_a_handler_finished(
    kafka: Any,
) -> None:
    """A message handled, then delivered again to the same group (its commit lost to a
    rebalance), is not poison: only deliveries in a row that never finished add up."""
    settings = KafkaSettings(
        bootstrap=kafka.bootstrap, poll_timeout_ms=100, topic_prefix=f"t{unique()}"
    )
    counter = CountingDeliveries()
    kafka_bus = KafkaEventBus(settings, deliveries=counter, max_deliveries=1)
    await kafka_bus.start()
    try:
        tag = unique()
        group = f"replay-{tag}"
        await kafka_bus.publish(
            [BatchUploaded(batch_id=f"{tag}-{i}", vehicle_id="v", total_files=1) for i in range(4)]
        )
        handled: list[str] = []
        given_up: list[str] = []
        done = asyncio.Event()

        def check_done() -> None:
            if len(handled) + len(given_up) == 4:
                done.set()

        async def handle(event: Event) -> None:
            if event.batch_id == f"{tag}-2":
                raise RuntimeError("always fails")  # given up after NO_WAIT.max_attempts
            handled.append(event.batch_id)
            check_done()

        async def give_up(event: Event, error: BaseException) -> None:
            given_up.append(event.batch_id)
            check_done()

        for delivery in (1, 2):
            handled.clear()
            given_up.clear()
            done.clear()
            await consume(kafka_bus, handle, until=done, group=group, on_give_up=give_up)
            # With max_deliveries=1, a count kept from the first delivery would have made
            # every message of the second one poison (given up without being handled).
            assert sorted(handled) == [f"{tag}-{i}" for i in (0, 1, 3)], delivery
            assert given_up == [f"{tag}-2"], delivery
            if delivery == 1:
                topic = event_topic(Family.BATCH, settings.topic_prefix)
                await rewind(kafka.bootstrap, group, topic, settings.partitions)
        assert counter.delivered_total == 8
        assert counter.counts == {}
    finally:
        await kafka_bus.close()
