"""Token buckets in Redis: one round trip (a Lua script) per request, one bucket per caller
for every replica, timed by the Redis server's clock so replicas' clocks need not agree.
The arithmetic is `argus.domain.token_bucket.TokenBucket`'s; the contract tests compare them.
"""

from __future__ import annotations

import math
from typing import Any

from redis.asyncio import Redis

from argus.constants import rate_limit_key
from argus.domain.token_bucket import RateDecision
from argus.infrastructure.redis._errors import translated

# KEYS[1] bucket; ARGV rate per second, burst, tokens wanted (1 unless given). Takes as many of
# the wanted tokens as are whole in the bucket. Returns {allowed, milliseconds to wait, taken}.
_TAKE = """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000 + math.floor(tonumber(now_t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ms')
local tokens = tonumber(state[1])
local since = tonumber(state[2])
if tokens == nil or since == nil then
  tokens = burst
  since = now
end
tokens = math.min(burst, tokens + math.max(0, now - since) * rate / 1000)
local want = tonumber(ARGV[3] or '1')
local allowed = 0
local wait_ms = 0
local taken = 0
if tokens >= 1 then
  taken = math.min(want, math.floor(tokens))
  tokens = tokens - taken
  allowed = 1
else
  wait_ms = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ms', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, wait_ms, taken}
"""


class RedisRateLimiter:
    """`rate_per_s` requests per second per key, up to `burst` at once."""

    def __init__(self, redis: Redis, *, rate_per_s: float, burst: int) -> None:
        self._redis = redis
        self._rate = rate_per_s
        self._burst = burst
        self._take = redis.register_script(_TAKE)
        # A bucket that is full again is gone: this long after its last use.
        self.idle_ttl_s = math.ceil(burst / rate_per_s) + 1

    async def take(self, key: str) -> RateDecision:
        async with translated():
            answer: Any = await self._take(
                keys=[rate_limit_key(key)], args=[repr(self._rate), self._burst]
            )
        allowed, wait_ms = int(answer[0]), int(answer[1])
        return RateDecision(allowed=allowed == 1, retry_after_s=wait_ms / 1000)

    async def take_up_to(self, key: str, want: int) -> tuple[int, RateDecision]:
        """Up to `want` tokens at once (as many as are whole in the bucket), in one round trip."""
        async with translated():
            answer: Any = await self._take(
                keys=[rate_limit_key(key)], args=[repr(self._rate), self._burst, want]
            )
        decision = RateDecision(allowed=int(answer[0]) == 1, retry_after_s=int(answer[1]) / 1000)
        return int(answer[2]), decision
