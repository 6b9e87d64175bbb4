"""The request limits wired from the `limits` and `browser` settings sections."""

from __future__ import annotations

from argus.application.rate_limit import RateLimiter, ReservingRateLimiter
from argus.bootstrap.connect import Adapters
from argus.config import Settings
from argus.domain.upload_policy import BatchLimits
from argus.infrastructure.redis.rate_limiter import RedisRateLimiter
from argus.interfaces.http.guards import HttpGuards


def batch_limits(settings: Settings) -> BatchLimits:
    limits = settings.limits
    return BatchLimits(
        max_files=limits.files_per_batch,
        max_bytes=limits.batch_bytes,
        max_open_per_vehicle=limits.open_batches_per_vehicle,
    )


def http_guards(a: Adapters) -> HttpGuards:
    """Guards of an HTTP process; the rate limit's buckets live in its Redis."""
    limits = a.settings.limits
    limiter: RateLimiter | None = None
    if limits.requests_per_s > 0:
        shared = RedisRateLimiter(
            a.redis, rate_per_s=limits.requests_per_s, burst=limits.request_burst
        )
        # A round trip per `rate_reserve` requests of a caller, not per request (decision 0030),
        # fewer for a hot caller (its reserve grows, decision 0039).
        limiter = shared
        if limits.rate_reserve > 1:
            limiter = ReservingRateLimiter(
                shared, reserve=limits.rate_reserve, reserve_max=reserve_cap(a.settings)
            )
    return HttpGuards(limits=limits, browser=a.settings.browser, rate_limiter=limiter)


def reserve_cap(settings: Settings) -> int:
    """The largest reserve of a caller in one process: `rate_reserve_max`, but no more than
    the caller's per-second limit shared among this port's HTTP processes (so together they
    hold at most 1.5 s of its limit beyond `rate_reserve`'s share), and never below
    `rate_reserve`."""
    limits = settings.limits
    per_process = int(limits.requests_per_s / settings.app.http_workers)
    return max(limits.rate_reserve, min(limits.rate_reserve_max, per_process))
