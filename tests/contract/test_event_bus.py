"""The EventBus contract against both real buses: Redis Streams and Apache Kafka."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from redis.asyncio import Redis

from argus.application.ports import EventBus, Handler, RetryPolicy
from argus.domain.events import BatchCreated, BatchStatusChanged, Event, Family
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
        [BatchCreated(batch_id=f"{tag}-{i}", vehicle_id="v", total_files=1) for i in range(5)]
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
            BatchCreated(batch_id=f"{tag}-poison", vehicle_id="v", total_files=1),
            BatchCreated(batch_id=f"{tag}-ok", vehicle_id="v", total_files=1),
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
