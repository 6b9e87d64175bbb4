"""Tokens reserved per process (decision 0030): one shared-store round trip per `reserve`
requests, and never more admitted than the shared bucket holds. Counted, never timed."""

from __future__ import annotations

import asyncio

import pytest

from argus.application.rate_limit import ReservingRateLimiter
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
