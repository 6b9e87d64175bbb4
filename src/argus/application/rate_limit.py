"""The rate-limiter port: one token bucket per caller, shared by every replica.

Callers are keyed by the SHA-256 hex of their bearer token (never the token itself) or, without
one, by their address. The adapter is `argus.infrastructure.redis.rate_limiter`; the in-memory
fake is in `tests/fakes/rate_limiter.py`. Design: docs/decisions/0026-request-limits.md.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

from argus.domain.identity import token_hash
from argus.domain.token_bucket import RateDecision

# Callers with tokens reserved in one process, at most (the oldest reserve goes first).
_RESERVED_KEYS = 100_000
# Refills one take waits for before it asks the shared store for its own token.
_REFILL_ROUNDS = 3
_ALLOWED = RateDecision(allowed=True)


class RateLimiter(Protocol):
    async def take(self, key: str) -> RateDecision:
        """Spend one of `key`'s tokens; Unavailable when the shared store cannot be reached."""


def caller_key(*, bearer_token: str | None, client_address: str | None) -> str:
    """Whom a request is counted against: its token's hash, else its address."""
    if bearer_token:
        return token_key(token_hash(bearer_token))
    return f"addr:{client_address or 'unknown'}"


def token_key(hashed_token: str) -> str:
    """`caller_key` of a token whose hash is known already (the read lane has it from
    `Authenticator.identify`, so the token is not hashed twice)."""
    return "token:" + hashed_token


class BulkRateLimiter(Protocol):
    async def take_up_to(self, key: str, want: int) -> tuple[int, RateDecision]:
        """Up to `want` of `key`'s tokens at once: (how many were taken, the decision)."""


class _Reserve:
    """A caller's tokens in this process: how many are left, when they were taken, how many
    were spent since, the size of the last refill and whether the shared bucket filled it."""

    __slots__ = ("dry", "left", "size", "spent", "taken_at")

    def __init__(self, left: int, taken_at: float, size: int) -> None:
        self.left = left
        self.taken_at = taken_at
        self.size = size
        self.spent = 0
        self.dry = False


class ReservingRateLimiter:
    """Takes a caller's tokens from the shared bucket several at a time and spends them here,
    so a hot caller costs one shared-store round trip per reserve (decision 0030).

    Every request still spends a token of the shared bucket, so replicas never admit more than
    the limit together. The next reserve is fetched when half of the current one is spent
    (decision 0037): a steady caller's requests then never wait for the shared store.

    The reserve adapts to the caller (decision 0039): it starts at `reserve`, doubles (up to
    `reserve_max`) while the caller, at its pace here, would spend twice as many within
    `reserve_s`, halves while it would not spend one reserve, and is back to `reserve` when
    the caller idled past `reserve_s` or the shared bucket could not fill a refill (the
    caller is at its limit: reserves stay small where they could make another process refuse
    early). So a slow caller holds at most 1.5 × `reserve` tokens here, as before, and only a
    caller that spends at least `size / reserve_s` per second here holds a larger reserve:
    tokens it would spend within about `reserve_s` anyway. A caller spread over P processes
    may be refused while up to P × 1.5 × its reserve (more while many wait at once) sit
    elsewhere, for at most `reserve_s` (then dropped).
    """

    def __init__(
        self,
        shared: BulkRateLimiter,
        *,
        reserve: int,
        reserve_max: int | None = None,
        reserve_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._shared = shared
        self._reserve = reserve
        self._reserve_max = max(reserve, reserve_max or reserve)
        self._reserve_s = reserve_s
        self._clock = clock
        self._reserves: dict[str, _Reserve] = {}
        self._refills: dict[str, asyncio.Future[RateDecision]] = {}
        self._waiting: dict[str, int] = {}  # takers waiting for a key's refill
        self.round_trips = 0  # calls to the shared store (for tests and benches)
        self.waits = 0  # takers that waited for a refill (for tests and benches)

    def reserved(self, key: str) -> int:
        """Tokens of `key` held in this process and still spendable (tests, benches)."""
        held = self._reserves.get(key)
        return held.left if held and self._clock() - held.taken_at <= self._reserve_s else 0

    async def take(self, key: str) -> RateDecision:
        # Concurrent takers of one key share one refill (its tokens go to whoever comes first).
        for _ in range(_REFILL_ROUNDS):
            if self._spend(key):
                return _ALLOWED
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
        held = self._reserves.get(key)
        if held is None or held.left <= 0 or self._clock() - held.taken_at > self._reserve_s:
            return False
        held.left -= 1
        held.spent += 1
        # Half the reserve spent: the next one is fetched now, while this one lasts, so a
        # steady caller's requests do not wait for the shared store (nor suspend).
        if held.left <= held.size // 2 and key not in self._refills and held.size > 1:
            self._start_refill(key)
        return True

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

    def _next_size(self, held: _Reserve | None, now: float) -> int:
        """The size that the caller, at the pace it spent the last reserve here, spends within
        `reserve_s` (a refill comes when half is left, so 1.5 × size are held after it):
        doubled while twice the size would be, halved while the size is not."""
        if held is None or held.dry or now - held.taken_at > self._reserve_s:
            return self._reserve  # a new or idle caller, or one at its limit
        spent_in_reserve_s, elapsed = held.spent * self._reserve_s, now - held.taken_at
        if spent_in_reserve_s >= 2 * held.size * elapsed:
            return min(2 * held.size, self._reserve_max)
        if spent_in_reserve_s < held.size * elapsed:
            return max(self._reserve, held.size // 2)
        return held.size

    async def _refill(self, key: str) -> RateDecision:
        # Runs after the takers that queued meanwhile have registered: enough for all of them.
        self.round_trips += 1
        size = self._next_size(self._reserves.get(key), self._clock())
        want = max(size, self._waiting.get(key, 0))
        taken, decision = await self._shared.take_up_to(key, want)
        held = self._reserves.get(key)
        if taken == 0:
            if held is not None:
                held.dry = True  # what is left keeps its age
            return decision
        if held is None:
            if len(self._reserves) >= _RESERVED_KEYS:
                self._reserves.pop(next(iter(self._reserves)))
            held = self._reserves[key] = _Reserve(0, 0.0, size)
        now = self._clock()
        still = held.left if now - held.taken_at <= self._reserve_s else 0  # what ahead met
        held.left, held.taken_at, held.size, held.spent = still + taken, now, size, 0
        held.dry = taken < want  # the bucket is running dry: the next reserve is the base
        return decision


__all__ = [
    "BulkRateLimiter",
    "RateDecision",
    "RateLimiter",
    "ReservingRateLimiter",
    "caller_key",
    "token_key",
]
