"""The token bucket rule on a clock the test moves (no sleeping, no timing)."""

from __future__ import annotations

import pytest

from argus.domain.token_bucket import TokenBucket, retry_after_header

pytestmark = pytest.mark.unit


def test_a_full_bucket_allows_its_burst_then_refuses_with_the_wait() -> None:
    bucket = TokenBucket(rate_per_s=2.0, burst=3)
    assert [bucket.take(10.0).allowed for _ in range(4)] == [True, True, True, False]
    refused = bucket.take(10.0)
    assert not refused.allowed and refused.retry_after_s == pytest.approx(0.5)


def test_tokens_come_back_at_the_rate_and_never_beyond_the_burst() -> None:
    bucket = TokenBucket(rate_per_s=2.0, burst=3)
    for _ in range(3):
        bucket.take(0.0)
    assert bucket.take(0.49).allowed is False
    assert bucket.take(0.5).allowed is True  # 0.5 s at 2/s: one token
    assert [bucket.take(1000.0).allowed for _ in range(4)] == [True, True, True, False]


def test_a_clock_going_backwards_refills_nothing() -> None:
    bucket = TokenBucket(rate_per_s=1.0, burst=1)
    assert bucket.take(5.0).allowed
    assert not bucket.take(1.0).allowed


@pytest.mark.parametrize(("seconds", "header"), [(0.0, "1"), (0.2, "1"), (1.0, "1"), (1.01, "2")])
def test_retry_after_is_whole_seconds_and_never_zero(seconds: float, header: str) -> None:
    assert retry_after_header(seconds) == header
