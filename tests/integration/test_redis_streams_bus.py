"""The Redis Streams event bus against a real Redis: ack, retry, dead letter, take-over."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from argus.application.delivery import DeliveryPolicy
from argus.constants import DEAD_LETTER_STREAM, event_stream
from argus.domain.events import BatchUploaded, Event, Family
from argus.infrastructure.redis.stream_consumer import ConsumerTuning
from argus.infrastructure.redis.streams_bus import RedisStreamsBus
from tests.conftest import Servers

pytestmark = pytest.mark.integration

FAST = ConsumerTuning(block_ms=50, claim_idle_ms=300)
NO_WAIT = DeliveryPolicy(max_attempts=3, backoff_s=0.01, max_backoff_s=0.01, max_deliveries=3)


@pytest.fixture
async def redis(servers: Servers) -> AsyncIterator[Redis]:
    # A database of its own per test: stream and group state cannot leak between tests.
    client = Redis.from_url(servers.redis_url(db=2 + uuid.uuid4().int % 12))
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


def created(batch_id: str) -> BatchUploaded:
    return BatchUploaded(batch_id=batch_id, vehicle_id="veh-1", total_files=1)


async def consume_until(
    bus: RedisStreamsBus,
    group: str,
    handler,
    *,
    done: asyncio.Event,
    on_give_up=None,
    name: str = "c1",
) -> None:  # type: ignore[no-untyped-def]
    stop = asyncio.Event()
    consumer = bus.consumer(
        group=group, families=[Family.BATCH], name=name, concurrency=4, delivery=NO_WAIT
    )
    task = asyncio.create_task(consumer.run(handler, stop=stop, on_give_up=on_give_up))
    try:
        await asyncio.wait_for(done.wait(), 10)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def test_each_group_gets_every_event_and_acks_it(redis: Redis) -> None:
    bus = RedisStreamsBus(redis, tuning=FAST)
    await bus.publish([created(f"b{i}") for i in range(5)])
    for group in ("g1", "g2"):
        seen: list[str] = []
        done = asyncio.Event()

        async def handle(event: Event, seen: list[str] = seen, done: asyncio.Event = done) -> None:
            seen.append(event.batch_id)
            if len(seen) == 5:
                done.set()

        await consume_until(bus, group, handle, done=done)
        assert sorted(seen) == [f"b{i}" for i in range(5)]
        pending = await redis.xpending(event_stream(Family.BATCH), group)
        assert pending["pending"] == 0


async def test_a_failing_handler_is_retried_then_dead_lettered(redis: Redis) -> None:
    bus = RedisStreamsBus(redis, tuning=FAST)
    await bus.publish([created("poison")])
    attempts = 0
    given_up: list[str] = []
    done = asyncio.Event()

    async def handle(event: Event) -> None:
        nonlocal attempts
        attempts += 1
        raise RuntimeError("always fails")

    async def give_up(event: Event, error: BaseException) -> None:
        given_up.append(event.batch_id)
        done.set()

    await consume_until(bus, "g", handle, done=done, on_give_up=give_up)
    await asyncio.sleep(0.1)
    assert attempts == NO_WAIT.max_attempts
    assert given_up == ["poison"]
    [(_, fields)] = await redis.xrange(DEAD_LETTER_STREAM)
    assert b"always fails" in fields[b"error"]
    assert json.loads(fields[b"event"])["data"]["batch_id"] == "poison"
    assert (await redis.xpending(event_stream(Family.BATCH), "g"))["pending"] == 0


async def test_messages_of_a_dead_consumer_are_taken_over(redis: Redis) -> None:
    bus = RedisStreamsBus(redis, tuning=FAST)
    stream = event_stream(Family.BATCH)
    await redis.xgroup_create(stream, "g", id="0", mkstream=True)
    await bus.publish([created("orphan")])
    # A consumer reads the message and dies before acking it.
    await redis.xreadgroup("g", "dead-worker", {stream: ">"}, count=1)
    seen: list[str] = []
    done = asyncio.Event()

    async def handle(event: Event) -> None:
        seen.append(event.batch_id)
        done.set()

    await consume_until(bus, "g", handle, done=done, name="survivor")
    assert seen == ["orphan"]
    assert (await redis.xpending(stream, "g"))["pending"] == 0


async def test_a_message_whose_consumers_keep_dying_is_dead_lettered(redis: Redis) -> None:
    bus = RedisStreamsBus(redis, tuning=FAST)
    stream = event_stream(Family.BATCH)
    await redis.xgroup_create(stream, "g", id="0", mkstream=True)
    await bus.publish([created("crasher")])
    [[_, [(message_id, _)]]] = await redis.xreadgroup("g", "w0", {stream: ">"}, count=1)
    for i in range(1, NO_WAIT.max_deliveries):
        await asyncio.sleep(FAST.claim_idle_ms / 1000 + 0.05)
        await redis.xclaim(stream, "g", f"w{i}", FAST.claim_idle_ms, [message_id])
    await asyncio.sleep(FAST.claim_idle_ms / 1000 + 0.05)
    handled: list[str] = []
    given_up: list[str] = []
    done = asyncio.Event()

    async def handle(event: Event) -> None:
        handled.append(event.batch_id)

    async def give_up(event: Event, error: BaseException) -> None:
        given_up.append(event.batch_id)
        done.set()

    await consume_until(bus, "g", handle, done=done, on_give_up=give_up, name="last")
    assert handled == [] and given_up == ["crasher"]
    assert await redis.xlen(DEAD_LETTER_STREAM) == 1


async def test_reading_several_streams_never_exceeds_the_concurrency(redis: Redis) -> None:
    """XREADGROUP's COUNT is per stream: the surplus waits, it is not started or dropped."""
    bus = RedisStreamsBus(redis, tuning=FAST)
    from argus.domain.events import FileParsed

    await bus.publish([created(f"b{i}") for i in range(10)])
    await bus.publish(
        [
            FileParsed(batch_id=f"p{i}", file_id="f", summary_key="s", message_count=1, engine="x")
            for i in range(10)
        ]
    )
    running = peak = handled = 0
    done = asyncio.Event()

    async def handle(event: Event) -> None:
        nonlocal running, peak, handled
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        handled += 1
        if handled == 20:
            done.set()

    stop = asyncio.Event()
    consumer = bus.consumer(
        group="g",
        families=[Family.BATCH, Family.PARSE_RESULTS],
        name="c",
        concurrency=3,
        delivery=NO_WAIT,
    )
    task = asyncio.create_task(consumer.run(handle, stop=stop))
    await asyncio.wait_for(done.wait(), 10)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert handled == 20 and peak <= 3
