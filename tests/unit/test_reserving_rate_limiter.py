"""Tokens reserved per process (decisions 0030, 0039): one shared-store round trip per reserve,
the reserve growing for a hot caller only, and never more admitted than the shared bucket
holds. Counted, never timed."""

from __future__ import annotations

import asyncio

import pytest

from argus.application.rate_limit import RateDecision, ReservingRateLimiter
from argus.bootstrap.limits import reserve_cap
from argus.config import AppSettings, Settings
from argus.interfaces.http.settings import LimitsSettings
from tests.fakes.rate_limiter import FakeRateLimiter

pytestmark = pytest.mark.unit


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_hot_caller_costs_one_round_trip_per_reserve() -> None:
    shared = FakeRateLimiter(rate_per_s=0.001, burst=1000, clock=lambda: 0.0)
    limiter = ReservingRateLimiter(shared, reserve=10)
    decisions = [await limiter.take("token:a") for _ in range(100)]
    assert all(d.allowed for d in decisions)
    assert limiter.round_trips == 10


async def test_processes_together_admit_no_more_than_the_shared_burst() -> None:
    shared = FakeRateLimiter(rate_per_s=0.001, burst=25, clock=lambda: 0.0)
    processes = [ReservingRateLimiter(shared, reserve=10) for _ in range(3)]
    allowed = [(await p.take("token:a")).allowed for _ in range(20) for p in processes]
    assert sum(allowed) == 25
    refused = await processes[0].take("token:a")
    assert not refused.allowed and refused.retry_after_s > 0


async def test_a_reserve_older_than_reserve_s_is_not_spent() -> None:
    clock = Clock()
    shared = FakeRateLimiter(rate_per_s=0.001, burst=1000, clock=lambda: 0.0)
    limiter = ReservingRateLimiter(shared, reserve=10, reserve_s=1.0, clock=clock)
    await limiter.take("token:a")
    clock.now = 1.5
    await limiter.take("token:a")
    assert limiter.round_trips == 2


async def test_concurrent_takers_share_refills() -> None:
    shared = FakeRateLimiter(rate_per_s=0.001, burst=1000, clock=lambda: 0.0)
    limiter = ReservingRateLimiter(shared, reserve=10)
    decisions = await asyncio.gather(*(limiter.take("token:a") for _ in range(100)))
    assert all(d.allowed for d in decisions)
    # One refill for the 100 takers waiting on it (it takes 100), and one ahead once half of
    # those are spent.
    assert limiter.round_trips == 2
    assert limiter.waits == 100


async def test_a_steady_caller_waits_only_for_its_first_refill() -> None:
    shared = FakeRateLimiter(rate_per_s=0.001, burst=1000, clock=lambda: 0.0)
    limiter = ReservingRateLimiter(shared, reserve=10)
    for _ in range(100):
        assert (await limiter.take("token:a")).allowed
        await asyncio.sleep(0)  # the next request comes later: a refill ahead has run by then
    assert limiter.waits == 1  # the first take; later ones find tokens fetched ahead
    # Still one round trip per `reserve` requests: the first refill, then one ahead each time 5
    # are left (it adds 10); the last one's tokens stay reserved (≤ reserve_s).
    assert limiter.round_trips == 11


async def test_refills_ahead_admit_no_more_than_the_shared_bucket_holds() -> None:
    shared = FakeRateLimiter(rate_per_s=0.001, burst=12, clock=lambda: 0.0)
    limiter = ReservingRateLimiter(shared, reserve=10)
    allowed = []
    for _ in range(15):
        allowed.append((await limiter.take("token:a")).allowed)
        await asyncio.sleep(0)
    assert sum(allowed) == 12  # never more than the shared bucket held


# --- the adaptive reserve (decision 0039) -------------------------------------------------


class Counting:
    """The shared bucket, recording each refill: (tokens asked for, tokens given)."""

    def __init__(self, shared: FakeRateLimiter) -> None:
        self.shared = shared
        self.refills: list[tuple[int, int]] = []

    async def take_up_to(self, key: str, want: int) -> tuple[int, RateDecision]:
        taken, decision = await self.shared.take_up_to(key, want)
        self.refills.append((want, taken))
        return taken, decision

    @property
    def wants(self) -> list[int]:
        return [want for want, _ in self.refills]

    @property
    def given(self) -> int:
        return sum(taken for _, taken in self.refills)


def bucket(burst: int) -> Counting:
    return Counting(FakeRateLimiter(rate_per_s=0.001, burst=burst, clock=lambda: 0.0))


async def steady(limiter: ReservingRateLimiter, clock: Clock, requests: int, gap_s: float) -> int:
    """`requests` takes `gap_s` apart; the most tokens held here at once."""
    most = 0
    for _ in range(requests):
        assert (await limiter.take("token:a")).allowed
        await asyncio.sleep(0)  # a refill ahead runs before the next request
        most = max(most, limiter.reserved("token:a"))
        clock.now += gap_s
    return most


async def test_a_hot_callers_reserve_doubles_up_to_its_cap() -> None:
    clock = Clock()
    shared = bucket(10_000)
    limiter = ReservingRateLimiter(shared, reserve=10, reserve_max=80, reserve_s=1.0, clock=clock)
    most = await steady(limiter, clock, 1000, gap_s=0.001)  # 1,000 a second
    assert shared.wants[:5] == [10, 20, 40, 80, 80]
    assert set(shared.wants[3:]) == {80}
    # 10 + 20 + 40 + 13 × 80 tokens for 1,000 requests (a fixed reserve of 10: 100 round
    # trips); the last refill came ahead, so its tokens are still held.
    assert limiter.round_trips == len(shared.wants) == 16
    assert limiter.reserved("token:a") == 10 + 20 + 40 + 13 * 80 - 1000
    assert most <= 80 + 80 // 2  # never more than 1.5 × the cap held
    assert limiter.waits == 1


async def test_a_slow_caller_keeps_the_base_reserve() -> None:
    clock = Clock()
    shared = bucket(10_000)
    limiter = ReservingRateLimiter(shared, reserve=10, reserve_max=80, reserve_s=1.0, clock=clock)
    most = await steady(limiter, clock, 100, gap_s=0.2)  # 5 a second: 5 spent per second
    assert set(shared.wants) == {10}
    assert most <= 10 + 10 // 2  # as with a fixed reserve: half left when the next came


async def test_the_reserve_halves_when_the_caller_slows_and_resets_after_an_idle() -> None:
    clock = Clock()
    shared = bucket(10_000)
    limiter = ReservingRateLimiter(shared, reserve=10, reserve_max=80, reserve_s=1.0, clock=clock)
    await steady(limiter, clock, 300, gap_s=0.001)
    assert shared.wants[-1] == 80
    await steady(limiter, clock, 200, gap_s=0.02)  # 50 a second: 40 spent in 0.8 s > 0.5 s
    assert shared.wants[-3:] == [40, 40, 40]  # halved once: 20 spent in 0.4 s keeps it at 40
    clock.now += 5.0  # idle past reserve_s: what was held is dropped, the next reserve is small
    await limiter.take("token:a")
    assert shared.wants[-1] == 10


async def test_processes_at_the_limit_never_overdraw_and_their_reserves_shrink() -> None:
    clock = Clock()
    shared = FakeRateLimiter(rate_per_s=0.001, burst=300, clock=lambda: 0.0)
    counted = [Counting(shared) for _ in range(3)]
    processes = [
        ReservingRateLimiter(c, reserve=10, reserve_max=100, reserve_s=1.0, clock=clock)
        for c in counted
    ]
    admitted = 0
    for _ in range(200):
        for process in processes:
            admitted += (await process.take("token:a")).allowed
            await asyncio.sleep(0)
        clock.now += 0.001
    # Every admitted request spent a shared token, and no more than the bucket held were.
    assert admitted == sum(c.given for c in counted) == 300
    for c in counted:
        assert max(c.wants) > 10  # each process's reserve grew while the bucket was full
        # A refill the bucket could not fill is followed by one of the base size.
        after_short = [c.wants[i + 1] for i, (w, t) in enumerate(c.refills[:-1]) if t < w]
        assert after_short and set(after_short) == {10}


def test_the_reserve_cap_is_the_limit_shared_among_the_http_processes() -> None:
    def cap(per_s: float, workers: int, reserve: int = 10, most: int = 100) -> int:
        limits = LimitsSettings(requests_per_s=per_s, rate_reserve=reserve, rate_reserve_max=most)
        return reserve_cap(Settings(app=AppSettings(http_workers=workers), limits=limits))

    assert cap(200, 2) == 100  # the defaults on two cores
    assert cap(200, 8) == 25
    assert cap(200, 64) == 10  # never below the base reserve
    assert cap(1_000_000, 2) == 100  # never above rate_reserve_max (given as 100 here)
    assert cap(1_000_000, 2, most=1000) == 1000
    assert cap(1_000_000, 2, reserve=50, most=20) == 50
