"""In-memory RateLimiter: the domain's token bucket per key, on a clock the test moves."""

from __future__ import annotations

from collections.abc import Callable

from argus.domain.token_bucket import RateDecision, TokenBucket


class FakeRateLimiter:
    def __init__(self, *, rate_per_s: float, burst: int, clock: Callable[[], float]) -> None:
        self._rate = rate_per_s
        self._burst = burst
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    async def take(self, key: str) -> RateDecision:
        bucket = self._buckets.setdefault(key, TokenBucket(self._rate, self._burst))
        return bucket.take(self._clock())

    async def take_up_to(self, key: str, want: int) -> tuple[int, RateDecision]:
        first = await self.take(key)
        taken = 1 if first.allowed else 0
        bucket = self._buckets[key]
        while first.allowed and taken < want and (bucket.tokens or 0.0) >= 1.0:
            await self.take(key)
            taken += 1
        return taken, first
