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
