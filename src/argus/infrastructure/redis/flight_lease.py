"""The cross-process singleflight's lease: `SET argus:report-lease:{id} <token> NX PX ttl`.

The winner reads the database; the others wait for its cache write. Released with a
compare-and-delete, so a lease that expired and went to another process is never taken from
it (docs/decisions/0030).
"""

from __future__ import annotations

import secrets
from typing import Any

from redis.asyncio import Redis

from argus.constants import report_lease_key
from argus.infrastructure.redis._errors import translated

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisFlightLease:
    """One holder per key across every process sharing this Redis, for at most `ttl_ms`."""

    def __init__(self, redis: Redis, *, ttl_ms: int) -> None:
        self._redis = redis
        self._ttl_ms = ttl_ms
        self._release = redis.register_script(_RELEASE)
        self.acquired = 0  # leases won by this process (for tests and benches)

    async def acquire(self, key: str) -> str | None:
        token = secrets.token_hex(8)
        async with translated():
            won: Any = await self._redis.set(report_lease_key(key), token, nx=True, px=self._ttl_ms)
        if won:
            self.acquired += 1
            return token
        return None

    async def held(self, key: str) -> bool:
        async with translated():
            return bool(await self._redis.exists(report_lease_key(key)))

    async def release(self, key: str, token: str) -> None:
        async with translated():
            await self._release(keys=[report_lease_key(key)], args=[token])
