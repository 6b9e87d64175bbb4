"""The EventBus contract against the in-memory fake and both real buses: Redis Streams and
Apache Kafka. All three run every message through argus.application.delivery."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from argus.application.delivery import DeliveryPolicy
from argus.application.ports import EventBus, Handler
from argus.constants import event_topic
from argus.domain.events import BatchStatusChanged, BatchUploaded, Event, Family
from argus.infrastructure.kafka.bus import KafkaEventBus
from tests.conftest import Servers
from tests.contract.bus_transports import (
    CountingDeliveries,
    DeadLetter,
    Transport,
    fake_transport,
    kafka_transport,
    redis_transport,
    unique,
)
from tests.contract.conftest import FAKE
from tests.services_kafka import KafkaServer, topic_prefix

NO_WAIT = DeliveryPolicy(max_attempts=3, backoff_s=0.01, max_backoff_s=0.01, max_deliveries=5)
REDIS = pytest.param("redis", marks=pytest.mark.integration)
KAFKA = pytest.param("kafka", marks=pytest.mark.integration)


@pytest.fixture(params=[FAKE, REDIS, KAFKA])
async def transport(request: pytest.FixtureRequest) -> AsyncIterator[Transport]:
    if request.param == "fake":
        yield fake_transport()
    elif request.param == "redis":
        servers: Servers = request.getfixturevalue("servers")
        async with redis_transport(servers.redis_url(db=14)) as redis:
            yield redis
    else:
        async with kafka_transport(request.getfixturevalue("kafka")) as kafka:
            yield kafka


@pytest.fixture
def bus(transport: Transport) -> Any:
    return transport.bus


async def consume(
    bus: EventBus,
    handler: Handler,
    *,
    until: asyncio.Event,
    group: str,
    families: Sequence[str] = (Family.BATCH,),
    on_give_up: Any = None,
    delivery: DeliveryPolicy = NO_WAIT,
) -> None:
    stop = asyncio.Event()
    consumer = bus.consumer(
        group=group, families=families, name=f"{group}-1", concurrency=4, delivery=delivery
    )
    task = asyncio.create_task(consumer.run(handler, stop=stop, on_give_up=on_give_up))
    waiting = asyncio.create_task(until.wait())
    try:
        # Until `until` is set, or the consumer died (its error is raised below).
        await asyncio.wait([waiting, task], timeout=60, return_when=asyncio.FIRST_COMPLETED)
        if not (until.is_set() or task.done()):
            raise TimeoutError(f"{group}: nothing happened in 60 s")
    finally:
        waiting.cancel()
        stop.set()
        await asyncio.wait_for(task, 30)


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


async def test_an_undecodable_message_is_dead_lettered_at_once_and_the_rest_flows(
    transport: Transport,
) -> None:
    tag = unique()
    group = f"garbage-{tag}"
    await transport.publish_raw(Family.BATCH, b"not an event")
    await transport.bus.publish(
        [BatchUploaded(batch_id=f"{tag}-ok", vehicle_id="v", total_files=1)]
    )
    handled: list[str] = []
    done = asyncio.Event()

    async def handle(event: Event) -> None:
        handled.append(event.batch_id)
        done.set()

    await consume(transport.bus, handle, until=done, group=group)
    assert handled == [f"{tag}-ok"]
    assert await transport.dead_letters(group, 1) == [DeadLetter(b"not an event", 0)]


class Crash(BaseException):
    """What the policy cannot catch: the handler took its consumer down (a kill, a segfault)."""


async def test_a_message_whose_consumers_keep_dying_is_given_up_and_dead_lettered(
    transport: Transport,
) -> None:
    tag = unique()
    group = f"crash-{tag}"
    policy = replace(NO_WAIT, max_deliveries=2)
    await transport.bus.publish([BatchUploaded(batch_id=tag, vehicle_id="v", total_files=1)])
    crashes = 0
    given_up: list[str] = []
    done = asyncio.Event()

    async def handle(event: Event) -> None:
        nonlocal crashes
        crashes += 1
        raise Crash

    async def give_up(event: Event, error: BaseException) -> None:
        given_up.append(event.batch_id)
        done.set()

    # As workers/runtime.py does: a consumer that died is started again (Redis Streams keeps
    # running and takes the message over from its dead handler itself).
    while not done.is_set():
        with contextlib.suppress(Crash):
            await consume(
                transport.bus, handle, until=done, group=group, on_give_up=give_up, delivery=policy
            )
    assert crashes == policy.max_deliveries
    assert given_up == [tag]
    [dead] = await transport.dead_letters(group, 1)
    assert json.loads(dead.payload)["data"]["batch_id"] == tag
    assert dead.attempts == policy.max_deliveries + 1


async def rewind(kafka: KafkaServer, group: str, topic: str, partitions: int) -> None:
    """Set `group`'s committed offsets on `topic` back to 0: every message comes again, as
    after commits lost to a rebalance."""
    consumer = AIOKafkaConsumer(**kafka.client_options(), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        await consumer.commit(dict.fromkeys(tps, 0))
    finally:
        await consumer.stop()


@pytest.mark.integration
async def test_kafka_forgets_the_delivery_count_of_every_message_a_handler_finished(
    kafka: KafkaServer,
) -> None:
    """A message handled, then delivered again to the same group (its commit lost to a
    rebalance), is not poison: only deliveries in a row that never finished add up."""
    settings = kafka.settings(poll_timeout_ms=100, topic_prefix=topic_prefix(unique()))
    counter = CountingDeliveries()
    kafka_bus = KafkaEventBus(settings, deliveries=counter)
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
            await consume(
                kafka_bus,
                handle,
                until=done,
                group=group,
                on_give_up=give_up,
                delivery=replace(NO_WAIT, max_deliveries=1),
            )
            # With max_deliveries=1, a count kept from the first delivery would have made
            # every message of the second one poison (given up without being handled).
            assert sorted(handled) == [f"{tag}-{i}" for i in (0, 1, 3)], delivery
            assert given_up == [f"{tag}-2"], delivery
            if delivery == 1:
                topic = event_topic(Family.BATCH, settings.topic_prefix)
                await rewind(kafka, group, topic, settings.partitions)
        assert counter.delivered_total == 8
        assert counter.counts == {}
    finally:
        await kafka_bus.close()
