"""One member of a Kafka consumer group (see bus.py).

Offsets are committed per message, only after the handler's effects are stored, so a crash
redelivers what was not finished (at-least-once; the handlers are idempotent). Messages of one
partition are handled in order — the partition key keeps one batch's events in order — and
partitions are handled concurrently up to `concurrency`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError

from argus.application.ports import GiveUp, Handler, RetryPolicy
from argus.domain.errors import InvalidInput
from argus.domain.events import Event, event_from_wire
from argus.infrastructure.kafka.settings import KafkaSettings

log = logging.getLogger(__name__)

DeadLetter = Callable[[bytes, list[tuple[str, bytes]], bytes | None], Awaitable[None]]


class DeliveryCounter(Protocol):
    async def delivered(self, group: str, topic: str, partition: int, offset: int) -> int:
        """Count one more delivery; returns how many there were in a row."""

    async def settled(self, group: str, topic: str, partition: int, offset: int) -> None:
        """A handler finished with the message: the next delivery counts from one again."""


class KafkaEventConsumer:
    """Polls, handles partitions concurrently, retries, dead-letters, commits, drains."""

    def __init__(
        self,
        *,
        settings: KafkaSettings,
        group: str,
        topics: list[str],
        name: str,
        concurrency: int,
        retry: RetryPolicy,
        dead_letter: DeadLetter,
        deliveries: DeliveryCounter | None = None,
        max_deliveries: int = 5,
    ) -> None:
        self._settings = settings
        self._group = group
        self._topics = topics
        self._name = name
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._retry = retry
        self._dead_letter = dead_letter
        self._deliveries = deliveries
        self._max_deliveries = max_deliveries

    async def run(
        self, handler: Handler, *, stop: asyncio.Event, on_give_up: GiveUp | None = None
    ) -> None:
        """Consume until `stop` is set; what was fetched is finished before leaving."""
        consumer = AIOKafkaConsumer(
            *self._topics,
            bootstrap_servers=self._settings.bootstrap,
            group_id=self._group,
            client_id=self._name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=self._settings.max_poll_interval_ms,
            session_timeout_ms=self._settings.session_timeout_ms,
            max_poll_records=self._concurrency,
        )
        await consumer.start()
        try:
            while not stop.is_set():
                fetched = await consumer.getmany(timeout_ms=self._settings.poll_timeout_ms)
                if fetched:
                    await asyncio.gather(
                        *(
                            self._partition(consumer, tp, records, handler, on_give_up)
                            for tp, records in fetched.items()
                        )
                    )
        finally:
            await consumer.stop()

    async def _partition(
        self,
        consumer: AIOKafkaConsumer,
        tp: TopicPartition,
        records: list[ConsumerRecord[bytes, bytes]],
        handler: Handler,
        on_give_up: GiveUp | None,
    ) -> None:
        async with self._slots:
            for record in records:
                await self._process(record, handler, on_give_up)
                try:
                    await consumer.commit({tp: record.offset + 1})
                except (CommitFailedError, IllegalStateError):
                    # The partition moved to another member during a rebalance: it will
                    # redeliver from the last commit; handlers are idempotent.
                    log.warning("commit of %s@%d lost to a rebalance", tp, record.offset)
                    return

    async def _process(
        self, record: ConsumerRecord[bytes, bytes], handler: Handler, on_give_up: GiveUp | None
    ) -> None:
        try:
            event = event_from_wire(json.loads(record.value or b""))
        except (InvalidInput, ValueError) as exc:
            await self._send_to_dead_letter(record, exc, attempts=0)
            return
        await self._handle_counted(record, event, handler, on_give_up)
        if self._deliveries is not None:
            # Handled (or given up) without dying: a redelivery after a lost commit is not
            # a sign of poison, so it must not inherit this count.
            try:
                await self._deliveries.settled(
                    self._group, record.topic, record.partition, record.offset
                )
            except Exception:  # a count left behind only expires later
                log.warning("could not settle %s@%d", record.topic, record.offset, exc_info=True)

    async def _handle_counted(
        self,
        record: ConsumerRecord[bytes, bytes],
        event: Event,
        handler: Handler,
        on_give_up: GiveUp | None,
    ) -> None:
        if self._deliveries is not None:
            try:
                count = await self._deliveries.delivered(
                    self._group, record.topic, record.partition, record.offset
                )
            except Exception:  # the count is a safety net: Redis away must not stop the work
                log.warning(
                    "delivery count unavailable for %s@%d",
                    record.topic,
                    record.offset,
                    exc_info=True,
                )
                count = 0
            if count > self._max_deliveries:
                error = RuntimeError(f"delivered {count} times; its consumers kept dying")
                log.error("poison message %s@%d: %s", record.topic, record.offset, error)
                if on_give_up is not None:
                    await on_give_up(event, error)
                await self._send_to_dead_letter(record, error, attempts=count)
                return
        for attempt in range(1, self._retry.max_attempts + 1):
            try:
                await handler(event)
                return
            except Exception as exc:
                if attempt == self._retry.max_attempts:
                    log.error("giving up on %s@%d: %r", record.topic, record.offset, exc)
                    if on_give_up is not None:
                        await on_give_up(event, exc)
                    await self._send_to_dead_letter(record, exc, attempts=attempt)
                    return
                log.warning(
                    "handler failed on %s@%d (attempt %d): %r",
                    record.topic,
                    record.offset,
                    attempt,
                    exc,
                )
                await asyncio.sleep(self._retry.delay_s(attempt))

    async def _send_to_dead_letter(
        self, record: ConsumerRecord[bytes, bytes], error: BaseException, *, attempts: int
    ) -> None:
        headers = [
            ("error", repr(error)[:2000].encode()),
            ("source-topic", record.topic.encode()),
            ("source-partition", str(record.partition).encode()),
            ("source-offset", str(record.offset).encode()),
            ("group", self._group.encode()),
            ("attempts", str(attempts).encode()),
        ]
        try:
            await self._dead_letter(record.value or b"", headers, record.key)
        except KafkaError:
            # Not committed: the message comes back after a restart instead of being lost.
            log.exception("dead-lettering %s@%d failed", record.topic, record.offset)
            raise


__all__ = ["Event", "KafkaEventConsumer"]
