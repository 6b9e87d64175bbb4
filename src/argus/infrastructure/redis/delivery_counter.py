"""How often a Kafka message was delivered, kept in Redis.

Kafka keeps no delivery count: a message whose handling crashes the process (a parser bug
on one file, an out-of-memory kill) would be delivered again after every restart, forever.
Counting deliveries per (group, topic, partition, offset) lets the delivery policy
(argus.application.delivery, whose `DeliveryCounter` port this implements) dead-letter such a
poison message after `max_deliveries`, as Redis Streams' XPENDING count does. The count is
forgotten once a handler finishes with the message (`settled`), so what it counts is
deliveries in a row that never finished — a message handled and then redelivered because its
commit was lost to a rebalance starts again from one.
"""

from __future__ import annotations

from redis.asyncio import Redis

from argus.constants import KEY_PREFIX

_TTL_S = 7 * 24 * 3600


class RedisDeliveryCounter:
    """INCR per delivery, DEL once handled; a key left behind expires after a week."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def delivered(self, group: str, message_id: str) -> int:
        """Count one more delivery of this message to `group`; returns the total."""
        key = _key(group, message_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, _TTL_S)
            count, _ = await pipe.execute()
        return int(count)

    async def settled(self, group: str, message_id: str) -> None:
        """A handler finished with this message (done, or given up): forget its count."""
        await self._redis.delete(_key(group, message_id))


def _key(group: str, message_id: str) -> str:
    # A Kafka record's message id is `{topic}:{partition}:{offset}` (kafka/consumer.py).
    return f"{KEY_PREFIX}:deliveries:{group}:{message_id}"
