"""The token bucket every rate limit uses: `burst` tokens, refilled at `rate_per_s`.

This is the rule; the Redis adapter runs the same arithmetic in one Lua script (so replicas
share one bucket per key), and the contract tests hold both to the same answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after_s: float = 0.0  # how long until one token is back (0 when allowed)


@dataclass
class TokenBucket:
    """One key's bucket; `take` with the current time in seconds (any monotonic clock)."""

    rate_per_s: float
    burst: int
    tokens: float | None = None  # None: never used, a full bucket
    updated_s: float = 0.0

    def take(self, now_s: float) -> RateDecision:
        """Spend one token if there is one, else say how long until there is."""
        tokens = float(self.burst) if self.tokens is None else self.tokens
        elapsed = max(0.0, now_s - self.updated_s) if self.tokens is not None else 0.0
        tokens = min(float(self.burst), tokens + elapsed * self.rate_per_s)
        self.updated_s = now_s
        if tokens >= 1.0:
            self.tokens = tokens - 1.0
            return RateDecision(allowed=True)
        self.tokens = tokens
        return RateDecision(allowed=False, retry_after_s=(1.0 - tokens) / self.rate_per_s)


def retry_after_header(seconds: float) -> str:
    """`Retry-After` in whole seconds, never 0 (a client would retry at once)."""
    return str(max(1, math.ceil(seconds)))
