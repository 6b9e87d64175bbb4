"""Event bus on Apache Kafka: one topic per family, a consumer group per role.

Producers are idempotent (`enable_idempotence`, acks=all), so a retried send after a broker
hiccup does not duplicate a message within a partition. Batch-level events are keyed by batch
id (their order per batch is kept), `FileScattered` by file id (one batch's files spread over
partitions and parse in parallel). See docs/decisions/0010-event-keys-and-partitions.md.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from argus.application.delivery import DeliveryCounter, DeliveryPolicy
from argus.constants import dead_letter_topic, event_topic
from argus.domain.errors import Unavailable
from argus.domain.events import Event, Family, event_to_wire
from argus.infrastructure.kafka.consumer import KafkaEventConsumer
from argus.infrastructure.kafka.settings import KafkaSettings


class KafkaEventBus:
    """Publishes with an idempotent producer; consumers commit after their handler."""

    def __init__(self, settings: KafkaSettings, *, deliveries: DeliveryCounter | None = None):
        if settings.bootstrap is None:
            raise ValueError("KafkaEventBus needs ARGUS_KAFKA_BOOTSTRAP")
        self._settings = settings
        self._prefix = settings.topic_prefix
        # Kafka keeps no delivery count; without a counter no message is ever a poison pill.
        self._deliveries = deliveries
        self._producer: AIOKafkaProducer | None = None

    @property
    def dead_letter_topic(self) -> str:
        return dead_letter_topic(self._prefix)

    async def start(self) -> None:
        """Create the topics (idempotent) and start the producer."""
        await self.ensure_topics()
        self._producer = AIOKafkaProducer(
            **self._settings.client_options(),
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
            request_timeout_ms=self._settings.request_timeout_ms,
        )
        await self._producer.start()

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def ensure_topics(self) -> None:
        """One topic per family plus the dead-letter topic; existing ones are kept."""
        admin = AIOKafkaAdminClient(**self._settings.client_options())
        await admin.start()
        try:
            wanted = [
                NewTopic(
                    event_topic(family, self._prefix),
                    num_partitions=self._settings.scatter_partitions
                    if family == Family.SCATTER
                    else self._settings.partitions,
                    replication_factor=1,
                )
                for family in Family.ALL
            ]
            wanted.append(NewTopic(self.dead_letter_topic, num_partitions=1, replication_factor=1))
            existing = set(await admin.list_topics())
            missing = [t for t in wanted if t.name not in existing]
            if missing:
                # Another process may have created them first.
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics(missing)
        finally:
            await admin.close()

    async def publish(self, events: Sequence[Event]) -> None:
        """Send every event, then wait until the broker has acknowledged all of them."""
        if self._producer is None:
            raise RuntimeError("KafkaEventBus.start() was not called")
        try:
            pending = [
                await self._producer.send(
                    event_topic(event.family, self._prefix),
                    value=json.dumps(event_to_wire(event)).encode(),
                    key=event.partition_key.encode(),
                )
                for event in events
            ]
            for delivery in pending:
                await delivery
        except KafkaError as exc:
            raise Unavailable(f"Kafka did not accept the events: {exc!r}") from exc

    def consumer(
        self,
        *,
        group: str,
        families: Sequence[str],
        name: str,
        concurrency: int,
        delivery: DeliveryPolicy,
    ) -> KafkaEventConsumer:
        """A member `name` of `group` reading the topics of `families`."""
        return KafkaEventConsumer(
            settings=self._settings,
            group=group,
            topics=[event_topic(f, self._prefix) for f in families],
            name=name,
            concurrency=concurrency,
            delivery=delivery,
            dead_letter=self._dead_letter,
            deliveries=self._deliveries,
        )

    async def _dead_letter(
        self, value: bytes, headers: list[tuple[str, bytes]], key: bytes | None
    ) -> None:
        if self._producer is None:
            raise RuntimeError("KafkaEventBus.start() was not called")
        await self._producer.send_and_wait(
            self.dead_letter_topic, value=value, key=key, headers=headers
        )
