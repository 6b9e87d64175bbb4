"""Event bus on Redis Streams: one stream per family, one consumer group per role.

Delivery is at-least-once, under the one `DeliveryPolicy` of argus.application.delivery: a
message is acknowledged (XACK) only after its handler returned; a failing handler is retried
with backoff and then dead-lettered; messages of a consumer that died are taken over by its
group (XPENDING + XCLAIM) once idle for `claim_idle_ms`, and XPENDING's delivery count tells
the policy when a message has become a poison pill. Live consumers refresh the idle time of
their in-flight messages, so a long parse is never stolen from a healthy worker.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from redis.asyncio import Redis

from argus.application.delivery import DeliveryPolicy
from argus.constants import event_stream
from argus.domain.events import Event, event_to_wire
from argus.infrastructure.redis.stream_consumer import ConsumerTuning, RedisStreamConsumer


class RedisStreamsBus:
    """Publishes to and consumes from Redis Streams."""

    def __init__(self, redis: Redis, *, tuning: ConsumerTuning, max_stream_length: int = 1_000_000):
        self._redis = redis
        self._tuning = tuning
        self._max_len = max_stream_length

    async def publish(self, events: Sequence[Event]) -> None:
        """XADD every event in one round trip (MULTI keeps a batch all-or-nothing)."""
        if not events:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            for event in events:
                pipe.xadd(
                    event_stream(event.family),
                    {"event": json.dumps(event_to_wire(event))},
                    maxlen=self._max_len,
                    approximate=True,
                )
            await pipe.execute()

    def consumer(
        self,
        *,
        group: str,
        families: Sequence[str],
        name: str,
        concurrency: int,
        delivery: DeliveryPolicy,
    ) -> RedisStreamConsumer:
        """A member `name` of `group` reading the streams of `families`."""
        return RedisStreamConsumer(
            self._redis,
            group=group,
            streams=[event_stream(f) for f in families],
            name=name,
            concurrency=concurrency,
            delivery=delivery,
            tuning=self._tuning,
        )
