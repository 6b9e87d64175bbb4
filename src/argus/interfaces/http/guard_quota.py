"""Quotas per caller (its bearer token's hash, else its address): requests per second from
a token bucket every replica shares (429 + Retry-After), and progress streams held open at
once in this process (429)."""

from __future__ import annotations

import logging
from collections import Counter

from starlette.types import ASGIApp, Receive, Scope, Send

from argus.application.rate_limit import RateLimiter, caller_key
from argus.domain.errors import Unavailable
from argus.domain.token_bucket import retry_after_header
from argus.interfaces.http.errors import send_error
from argus.interfaces.http.routes_kind import RouteKind, header, kind_of

log = logging.getLogger(__name__)
_BEARER = "bearer "


def caller_of(scope: Scope) -> str:
    """The key a request is counted against."""
    authorization = header(scope, b"authorization")
    token = None
    if authorization is not None and authorization[: len(_BEARER)].lower() == _BEARER:
        token = authorization[len(_BEARER) :].strip() or None
    client = scope.get("client")
    return caller_key(bearer_token=token, client_address=client[0] if client else None)


class RateLimit:
    """One token per request (not /healthz). When the shared store is down the request is let
    through and a warning logged: the limit guards against abuse, and refusing every request
    while Redis restarts would turn its outage into the API's (docs/decisions/0026)."""

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter
        self.failed_open = 0  # requests let through without a decision (for tests and metrics)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or kind_of(scope) is RouteKind.HEALTH:
            await self.app(scope, receive, send)
            return
        try:
            decision = await self.limiter.take(caller_of(scope))
        except Unavailable as exc:
            self.failed_open += 1
            log.warning("rate limit not checked (%s); letting the request through", exc)
        else:
            if not decision.allowed:
                retry = retry_after_header(decision.retry_after_s)
                await send_error(
                    send,
                    429,
                    f"too many requests; retry in {retry} s",
                    headers={"Retry-After": retry},
                )
                return
        await self.app(scope, receive, send)


class StreamSlots:
    """At most `per_caller` progress streams per caller in this process; a slot is freed when
    its stream ends, however it ends."""

    def __init__(self, app: ASGIApp, *, per_caller: int) -> None:
        self.app = app
        self.per_caller = per_caller
        self.open: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or kind_of(scope) is not RouteKind.EVENTS:
            await self.app(scope, receive, send)
            return
        caller = caller_of(scope)
        if self.open[caller] >= self.per_caller:
            await send_error(
                send, 429, f"at most {self.per_caller} progress streams at once; close one first"
            )
            return
        self.open[caller] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open[caller] -= 1
            if self.open[caller] <= 0:
                del self.open[caller]
