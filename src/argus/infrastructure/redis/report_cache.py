"""Hot report cache: `argus:report:{batch_id}` with a TTL; never the source of truth."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from argus.constants import report_cache_key
from argus.infrastructure.redis._errors import translated


class RedisReportCache:
    """Stores serialised final reports for `ttl_s` seconds."""

    def __init__(self, redis: Redis, *, ttl_s: int) -> None:
        self._redis = redis
        self._ttl_s = ttl_s

    async def get(self, batch_id: str) -> bytes | None:
        async with translated():
            value: Any = await self._redis.get(report_cache_key(batch_id))
            return None if value is None else bytes(value)

    async def set(self, batch_id: str, payload: bytes) -> None:
        async with translated():
            await self._redis.set(report_cache_key(batch_id), payload, ex=self._ttl_s)

    async def delete(self, batch_id: str) -> None:
        async with translated():
            await self._redis.delete(report_cache_key(batch_id))
