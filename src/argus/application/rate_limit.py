"""The rate-limiter port: one token bucket per caller, shared by every replica.

Callers are keyed by the SHA-256 hex of their bearer token (never the token itself) or, without
one, by their address. The adapter is `argus.infrastructure.redis.rate_limiter`; the in-memory
fake is in `tests/fakes/rate_limiter.py`. Design: docs/decisions/0026-request-limits.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from typing import Protocol

from argus.domain.token_bucket import RateDecision

# Callers with tokens reserved in one process, at most (the oldest reserve goes first).
_RESERVED_KEYS = 100_000
# Refills one take waits for before it asks the shared store for its own token.
_REFILL_ROUNDS = 3


class RateLimiter(Protocol):
    async def take(self, key: str) -> RateDecision:
        """Spend one of `key`'s tokens; Unavailable when the shared store cannot be reached."""


def caller_key(*, bearer_token: str | None, client_address: str | None) -> str:
    """Whom a request is counted against: its token's hash, else its address."""
    if bearer_token:
        return "token:" + hashlib.sha256(bearer_token.encode()).hexdigest()
    return f"addr:{client_address or 'unknown'}"


class BulkRateLimiter(Protocol):
    async def take_up_to(self, key: str, want: int) -> tuple[int, RateDecision]:
        """Up to `want` of `key`'s tokens at once: (how many were taken, the decision)."""


class ReservingRateLimiter:
    """Takes `reserve` tokens per caller from the shared bucket at a time and spends them here,
    so a hot caller costs one shared-store round trip per `reserve` requests (decision 0030).

    Every request still spends a token of the shared bucket, so replicas never admit more than
    the limit together; a caller spread over P processes may be refused while up to
    P × 1.5 × reserve of its tokens (more while many wait at once) sit reserved elsewhere, for
    at most `reserve_s` (then dropped). The next reserve is fetched when half of the current
    one is spent (decision 0037): a steady caller's requests then never wait for the shared
    store, and on granian a request that never suspends stays on its fast path.
    """

    def __init__(
        self,
        shared: BulkRateLimiter,
        *,
        reserve: int,
        reserve_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._shared = shared
        self._reserve = reserve
        self._reserve_s = reserve_s
        self._clock = clock
        self._left: dict[str, tuple[int, float]] = {}  # key → (tokens left, taken at)
        self._refills: dict[str, asyncio.Future[RateDecision]] = {}
        self._waiting: dict[str, int] = {}  # takers waiting for a key's refill
        self.round_trips = 0  # calls to the shared store (for tests and benches)
        self.waits = 0  # takers that waited for a refill (for tests and benches)

    async def take(self, key: str) -> RateDecision:
        # Concurrent takers of one key share one refill (its tokens go to whoever comes first).
        for _ in range(_REFILL_ROUNDS):
            if self._spend(key):
                return RateDecision(allowed=True)
            refill = self._refills.get(key) or self._start_refill(key)
            self.waits += 1
            self._waiting[key] = self._waiting.get(key, 0) + 1
            try:
                decision = await asyncio.shield(refill)
            finally:
                self._waiting[key] -= 1
                if self._waiting[key] <= 0:
                    del self._waiting[key]
            if not decision.allowed:
                return decision
        self.round_trips += 1  # outrun by the other takers: one token of its own
        return (await self._shared.take_up_to(key, 1))[1]

    def _spend(self, key: str) -> bool:
        left, taken_at = self._left.get(key, (0, 0.0))
        if left > 0 and self._clock() - taken_at <= self._reserve_s:
            self._left[key] = (left - 1, taken_at)
            # Half the reserve spent: the next one is fetched now, while this one lasts, so a
            # steady caller's requests do not wait for the shared store (nor suspend).
            if left - 1 <= self._reserve // 2 and key not in self._refills and self._reserve > 1:
                self._start_refill(key)
            return True
        return False

    def _start_refill(self, key: str) -> asyncio.Future[RateDecision]:
        refill = asyncio.ensure_future(self._refill(key))
        self._refills[key] = refill
        refill.add_done_callback(self._refilled(key))
        return refill

    def _refilled(self, key: str) -> Callable[[asyncio.Future[RateDecision]], None]:
        def forget(done: asyncio.Future[RateDecision]) -> None:
            self._refills.pop(key, None)
            if not done.cancelled():
                done.exception()  # a refill ahead nobody waited for: its failure is not news

        return forget

    async def _refill(self, key: str) -> RateDecision:
        # Runs after the takers that queued meanwhile have registered: enough for all of them.
        self.round_trips += 1
        want = max(self._reserve, self._waiting.get(key, 0))
        taken, decision = await self._shared.take_up_to(key, want)
        if taken > 0:
            if key not in self._left and len(self._left) >= _RESERVED_KEYS:
                self._left.pop(next(iter(self._left)))
            now = self._clock()
            left, taken_at = self._left.get(key, (0, 0.0))
            still = left if now - taken_at <= self._reserve_s else 0  # what the refill ahead met
            self._left[key] = (still + taken, now)
        return decision


__all__ = ["BulkRateLimiter", "RateDecision", "RateLimiter", "ReservingRateLimiter", "caller_key"]
