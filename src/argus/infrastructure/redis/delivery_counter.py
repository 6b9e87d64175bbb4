"""How often a Kafka message was delivered, kept in Redis.

Kafka keeps no delivery count: a message whose handling crashes the process (a parser bug
on one file, an out-of-memory kill) would be delivered again after every restart, forever.
Counting deliveries per (group, topic, partition, offset) lets the consumer dead-letter such
a poison message after `max_deliveries`, as Redis Streams' XPENDING count does.
"""

from __future__ import annotations

from redis.asyncio import Redis

from argus.constants import KEY_PREFIX

_TTL_S = 7 * 24 * 3600


class RedisDeliveryCounter:
    """INCR per delivery; the key expires after a week."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def delivered(self, group: str, topic: str, partition: int, offset: int) -> int:
        """Count one more delivery of this message to `group`; returns the total."""
        key = f"{KEY_PREFIX}:deliveries:{group}:{topic}:{partition}:{offset}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, _TTL_S)
            count, _ = await pipe.execute()
        return int(count)
