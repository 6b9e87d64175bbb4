"""The RateLimiter contract: the Redis script and the in-memory fake give the same answers."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest

from argus.application.rate_limit import RateLimiter, caller_key
from argus.infrastructure.redis.rate_limiter import RedisRateLimiter
from tests.contract.conftest import FAKE, REAL, real_adapters
from tests.fakes.rate_limiter import FakeRateLimiter

# Slow enough that no token comes back while a test runs: the answers do not depend on time.
RATE_PER_S = 0.001


@pytest.fixture(params=[FAKE, REAL])
def limiter(request: pytest.FixtureRequest) -> Any:
    if request.param == "fake":
        return FakeRateLimiter(rate_per_s=RATE_PER_S, burst=3, clock=lambda: 0.0)
    return RedisRateLimiter(real_adapters(request).redis, rate_per_s=RATE_PER_S, burst=3)


async def test_a_key_gets_its_burst_then_a_wait(limiter: RateLimiter) -> None:
    key = caller_key(bearer_token=uuid.uuid4().hex, client_address=None)
    decisions = [await limiter.take(key) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert decisions[3].retry_after_s == pytest.approx(1 / RATE_PER_S, rel=0.01)


async def test_keys_have_their_own_buckets(limiter: RateLimiter) -> None:
    first, second = (f"addr:{uuid.uuid4().hex}" for _ in range(2))
    for _ in range(3):
        await limiter.take(first)
    assert not (await limiter.take(first)).allowed
    assert (await limiter.take(second)).allowed


def test_the_key_of_a_token_is_its_sha256_never_the_token() -> None:
    key = caller_key(bearer_token="secret-token", client_address="10.0.0.1")
    assert "secret" not in key
    assert key == "token:" + hashlib.sha256(b"secret-token").hexdigest()
    assert caller_key(bearer_token=None, client_address="10.0.0.1") == "addr:10.0.0.1"


async def test_up_to_n_tokens_are_taken_at_once_then_a_wait(limiter: Any) -> None:
    key = f"addr:{uuid.uuid4().hex}"
    taken, decision = await limiter.take_up_to(key, 2)
    assert (taken, decision.allowed) == (2, True)
    taken, decision = await limiter.take_up_to(key, 10)  # one left in the burst of 3
    assert (taken, decision.allowed) == (1, True)
    taken, decision = await limiter.take_up_to(key, 10)
    assert (taken, decision.allowed) == (0, False)
    assert decision.retry_after_s == pytest.approx(1 / RATE_PER_S, rel=0.01)
