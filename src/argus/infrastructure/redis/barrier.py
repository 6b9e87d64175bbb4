"""The batch barrier on Redis: a hash per batch, one field per finished file.

A hash (not a counter) makes arrivals idempotent: the same file id delivered twice is one
field. `total` lives in the same key, so losing the key (restart without AOF, eviction,
manual delete) is detected as a whole and rebuilt from PostgreSQL, never half-counted.
"""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis

from argus.application.ports import BarrierCount
from argus.constants import barrier_key
from argus.infrastructure.redis._errors import translated

_TOTAL = "total"
_REBUILD_CHUNK = 1000

# Returns {finished, total}, or -1 when the key is gone.
_ARRIVE = """
local total = redis.call('HGET', KEYS[1], 'total')
if not total then return -1 end
redis.call('HSETNX', KEYS[1], 'f:' .. ARGV[1], 1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {redis.call('HLEN', KEYS[1]) - 1, tonumber(total)}
"""


class RedisBarrier:
    """Idempotent per-file counting; the decision itself is taken in PostgreSQL."""

    def __init__(self, redis: Redis, *, ttl_s: int) -> None:
        self._redis = redis
        self._ttl_s = ttl_s
        self._arrive = redis.register_script(_ARRIVE)

    async def prepare(self, batch_id: str, total: int) -> None:
        """Create the counter; a second call (redelivered event) keeps what was counted."""
        async with translated():
            key = barrier_key(batch_id)
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hsetnx(key, _TOTAL, total)
                pipe.expire(key, self._ttl_s)
                await pipe.execute()

    async def arrive(self, batch_id: str, file_id: str) -> BarrierCount | None:
        """Count `file_id` once; None when the counter must be rebuilt."""
        async with translated():
            result = await self._arrive(keys=[barrier_key(batch_id)], args=[file_id, self._ttl_s])
            if result == -1:
                return None
            finished, total = result
            return BarrierCount(finished=int(finished), total=int(total))

    async def rebuild(self, batch_id: str, total: int, finished_file_ids: Sequence[str]) -> None:
        """Write back every finished file id; merging is safe because fields are idempotent."""
        async with translated():
            key = barrier_key(batch_id)
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, _TOTAL, total)
                for start in range(0, len(finished_file_ids), _REBUILD_CHUNK):
                    chunk = finished_file_ids[start : start + _REBUILD_CHUNK]
                    pipe.hset(key, mapping={f"f:{file_id}": 1 for file_id in chunk})
                pipe.expire(key, self._ttl_s)
                await pipe.execute()
