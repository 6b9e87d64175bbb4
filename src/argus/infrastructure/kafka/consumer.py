"""One member of a Kafka consumer group (see bus.py).

I/O only: poll, hand each record to the delivery policy (argus.application.delivery), commit,
dead-letter to the DLT topic. Offsets are committed per message, only after the policy is done
with it (handled or dead-lettered), so a crash redelivers what was not finished (at-least-once;
the handlers are idempotent). Messages of one partition are handled in order — the partition
key keeps one batch's events in order — and partitions are handled concurrently up to
`concurrency`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError

from argus.application.delivery import (
    Delivery,
    DeliveryCounter,
    DeliveryPolicy,
    GiveUp,
    Handler,
)
from argus.infrastructure.kafka.settings import KafkaSettings

log = logging.getLogger(__name__)

DeadLetter = Callable[[bytes, list[tuple[str, bytes]], bytes | None], Awaitable[None]]


class _Record:
    """One polled record; `Delivered` for the delivery policy."""

    # Kafka keeps no delivery count: the policy asks the DeliveryCounter, when there is one.
    deliveries: int | None = None

    def __init__(self, record: ConsumerRecord[bytes, bytes], group: str, sink: DeadLetter) -> None:
        self._record = record
        self._group = group
        self._sink = sink
        self.message_id = f"{record.topic}:{record.partition}:{record.offset}"

    @property
    def payload(self) -> bytes:
        return self._record.value or b""

    async def ack(self) -> None:
        # The partition loop commits after every record, handled or dead-lettered, in order.
        pass

    async def dead_letter(self, error: BaseException, *, attempts: int) -> None:
        record = self._record
        headers = [
            ("error", repr(error)[:2000].encode()),
            ("source-topic", record.topic.encode()),
            ("source-partition", str(record.partition).encode()),
            ("source-offset", str(record.offset).encode()),
            ("group", self._group.encode()),
            ("attempts", str(attempts).encode()),
        ]
        try:
            await self._sink(self.payload, headers, record.key)
        except KafkaError:
            # Not committed: the message comes back after a restart instead of being lost.
            log.exception("dead-lettering %s failed", self.message_id)
            raise


class KafkaEventConsumer:
    """Polls, hands records to the delivery policy partition by partition, commits, drains."""

    def __init__(
        self,
        *,
        settings: KafkaSettings,
        group: str,
        topics: list[str],
        name: str,
        concurrency: int,
        delivery: DeliveryPolicy,
        dead_letter: DeadLetter,
        deliveries: DeliveryCounter | None = None,
    ) -> None:
        self._settings = settings
        self._group = group
        self._topics = topics
        self._name = name
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._delivery = Delivery(delivery, group=group, counter=deliveries)
        self._dead_letter = dead_letter

    async def run(
        self, handler: Handler, *, stop: asyncio.Event, on_give_up: GiveUp | None = None
    ) -> None:
        """Consume until `stop` is set; what was fetched is finished before leaving."""
        consumer = AIOKafkaConsumer(
            *self._topics,
            **self._settings.client_options(),
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
                message = _Record(record, self._group, self._dead_letter)
                await self._delivery.deliver(message, handler, on_give_up)
                try:
                    await consumer.commit({tp: record.offset + 1})
                except (CommitFailedError, IllegalStateError):
                    # The partition moved to another member during a rebalance: it will
                    # redeliver from the last commit; handlers are idempotent.
                    log.warning("commit of %s@%d lost to a rebalance", tp, record.offset)
                    return


__all__ = ["KafkaEventConsumer"]
