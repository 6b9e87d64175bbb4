"""The three event buses of the contract suite, each with what a test needs to look under it:
publish a raw message (one that cannot be decoded) and read the dead letters of a group."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from redis.asyncio import Redis

from argus.constants import DEAD_LETTER_STREAM, event_stream, event_topic
from argus.infrastructure.kafka.bus import KafkaEventBus
from argus.infrastructure.redis.stream_consumer import ConsumerTuning
from argus.infrastructure.redis.streams_bus import RedisStreamsBus
from tests.fakes.messaging import FakeEventBus
from tests.services_kafka import KafkaServer, topic_prefix


@dataclass(frozen=True)
class DeadLetter:
    payload: bytes
    attempts: int


@dataclass(frozen=True)
class Transport:
    bus: Any  # FakeEventBus | RedisStreamsBus | KafkaEventBus
    publish_raw: Callable[[str, bytes], Awaitable[None]]  # (family, payload)
    # Dead letters of one group, waiting until there are at least `expected` of them.
    dead_letters: Callable[[str, int], Awaitable[list[DeadLetter]]]


class CountingDeliveries:
    """In memory, with RedisDeliveryCounter's rules: counts in a row, forgotten once settled."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}
        self.delivered_total = 0

    async def delivered(self, group: str, message_id: str) -> int:
        key = (group, message_id)
        self.counts[key] = self.counts.get(key, 0) + 1
        self.delivered_total += 1
        return self.counts[key]

    async def settled(self, group: str, message_id: str) -> None:
        self.counts.pop((group, message_id), None)


def unique() -> str:
    return uuid.uuid4().hex[:10]


def fake_transport() -> Transport:
    bus = FakeEventBus()

    async def publish_raw(family: str, payload: bytes) -> None:
        bus.log.append((family, payload))

    async def dead_letters(group: str, expected: int) -> list[DeadLetter]:
        return [DeadLetter(d.payload, d.attempts) for d in bus.dead_letters if d.group == group]

    return Transport(bus, publish_raw, dead_letters)


@asynccontextmanager
async def redis_transport(url: str) -> AsyncIterator[Transport]:
    client = Redis.from_url(url)
    await client.flushdb()

    async def publish_raw(family: str, payload: bytes) -> None:
        await client.xadd(event_stream(family), {"event": payload})

    async def dead_letters(group: str, expected: int) -> list[DeadLetter]:
        # Written in the same MULTI as the XACK: there by the time the handler's effects are.
        entries: Any = await client.xrange(DEAD_LETTER_STREAM)
        return [
            DeadLetter(fields[b"event"], int(fields[b"attempts"]))
            for _, fields in entries
            if fields[b"group"] == group.encode()
        ]

    try:
        yield Transport(
            RedisStreamsBus(client, tuning=ConsumerTuning(block_ms=50, claim_idle_ms=500)),
            publish_raw,
            dead_letters,
        )
    finally:
        await client.flushdb()
        await client.aclose()


@asynccontextmanager
async def kafka_transport(kafka: KafkaServer) -> AsyncIterator[Transport]:
    settings = kafka.settings(poll_timeout_ms=100, topic_prefix=topic_prefix(unique()))
    # As in production, where every Kafka consumer counts its deliveries in Redis.
    bus = KafkaEventBus(settings, deliveries=CountingDeliveries())
    await bus.start()
    producer = AIOKafkaProducer(**settings.client_options())
    await producer.start()

    async def publish_raw(family: str, payload: bytes) -> None:
        await producer.send_and_wait(event_topic(family, settings.topic_prefix), payload)

    async def dead_letters(group: str, expected: int) -> list[DeadLetter]:
        reader = AIOKafkaConsumer(
            bus.dead_letter_topic, **settings.client_options(), auto_offset_reset="earliest"
        )
        await reader.start()
        found: list[DeadLetter] = []
        try:
            async with asyncio.timeout(30):
                while len(found) < expected:
                    for records in (await reader.getmany(timeout_ms=200)).values():
                        for record in records:
                            headers = dict(record.headers)
                            if headers["group"] == group.encode():
                                found.append(
                                    DeadLetter(record.value or b"", int(headers["attempts"]))
                                )
        finally:
            await reader.stop()
        return found

    try:
        yield Transport(bus, publish_raw, dead_letters)
    finally:
        await producer.stop()
        await bus.close()
