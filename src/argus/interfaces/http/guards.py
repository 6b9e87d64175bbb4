"""The request guards around the app, outermost first: security headers, CORS (only with an
allow-list), hostile input and browser rules, the rate limit, progress-stream slots, then the
body limits. Design: docs/decisions/0026-request-limits.md."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from argus.application.rate_limit import RateLimiter
from argus.interfaces.http.guard_body import BodyGuard
from argus.interfaces.http.guard_browser import RequestGuard, SecurityHeaders
from argus.interfaces.http.guard_quota import RateLimit, StreamSlots
from argus.interfaces.http.settings import BrowserSettings, LimitsSettings


@dataclass(frozen=True)
class HttpGuards:
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    browser: BrowserSettings = field(default_factory=BrowserSettings)
    # None: no rate limit (also when `limits.requests_per_s` is 0).
    rate_limiter: RateLimiter | None = None


def install(app: FastAPI, guards: HttpGuards) -> None:
    """Wrap `app` in the guards (each `add_middleware` goes outside the previous ones)."""
    limits = guards.limits
    app.add_middleware(
        BodyGuard, max_json_bytes=limits.json_body_bytes, idle_s=limits.request_idle_s
    )
    app.add_middleware(StreamSlots, per_caller=limits.sse_streams_per_token)
    if guards.rate_limiter is not None:
        app.add_middleware(RateLimit, limiter=guards.rate_limiter)
    origins = guards.browser.origins
    app.add_middleware(RequestGuard, allowed_origins=origins)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST", "PUT"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "Last-Event-ID",
                "X-Checksum-SHA256",
            ],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders)
