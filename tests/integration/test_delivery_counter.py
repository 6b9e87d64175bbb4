"""The Kafka consumers' delivery counter (the DeliveryCounter port) on a real Redis."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis

from argus.infrastructure.redis.delivery_counter import RedisDeliveryCounter
from tests.conftest import Servers

pytestmark = pytest.mark.integration


async def test_deliveries_count_in_a_row_until_settled_and_keys_expire(servers: Servers) -> None:
    redis = Redis.from_url(servers.redis_url(db=13))
    try:
        counter = RedisDeliveryCounter(redis)
        group = f"g-{uuid.uuid4().hex[:8]}"
        # A Kafka record's message id is `{topic}:{partition}:{offset}` (kafka/consumer.py).
        assert [await counter.delivered(group, "topic:3:42") for _ in range(3)] == [1, 2, 3]
        assert await counter.delivered(group, "topic:3:43") == 1  # per offset
        assert await counter.delivered(f"{group}-other", "topic:3:42") == 1  # per group
        (key,) = [k async for k in redis.scan_iter(f"*:deliveries:{group}:topic:3:42")]
        assert key == f"argus:deliveries:{group}:topic:3:42".encode()  # docs/schemas/redis.md
        assert 0 < await redis.ttl(key) <= 7 * 24 * 3600  # a count never settled goes away
        await counter.settled(group, "topic:3:42")
        assert not await redis.exists(key)
        assert await counter.delivered(group, "topic:3:42") == 1
    finally:
        await redis.aclose()
