"""The read lane: `GET` of a finished report this process keeps in memory, answered in front
of FastAPI (decision 0031; `app.create_served_app` puts it there).

A hot report read is all per-request framework: FastAPI's telemetry and body-limit layers,
seven guard middlewares, route matching, dependency solving, a `Request`. The lane answers it
in one hop, still doing everything the stack would do for it, through the same code: the
hostile-input rule of `RequestGuard`, the bearer token (`Authenticator.identify`, what
`BearerAuth`'s `authenticate` runs), the object-level check and the report
(`GuardedReads.report`, as the route), the rate limit (the same limiter, one token, keyed by
the token hash the check computed), the response (`finished_report`) and the security headers
(`add_security_headers`).

A report not in memory (or older there than `fresh_s`) is read by one request through the
stack; the others for it wait for that one, then are answered from memory (decision 0039).

Whenever the answer would not be a finished report from memory, the lane steps aside before
it has changed anything, and the full stack answers as if the lane were not there: another
path or method, a report not in memory, a request with an `Origin` (CORS) or a body, a refused
or failing token or access check, a rate-limit refusal or a rate limiter that is down
(a refusal takes no token, so the stack's second ask is refused alike). The token is spent
last, so a request the lane leaves to the stack never spends two.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from argus.application.identity import GuardedReads
from argus.application.queries import ReportView
from argus.application.rate_limit import RateLimiter, token_key
from argus.domain.identifiers import has_control_characters
from argus.domain.identity import Caller, Principal
from argus.interfaces.http.auth import bearer_token
from argus.interfaces.http.guard_browser import RequestGuard, add_security_headers
from argus.interfaces.http.report_response import finished_report, report_variant, variant_body

# The two routes that answer a report (routes_reports.report, routes_batches.batch_report).
_SHORT_PREFIX = "/api/report/"
_LONG_PREFIX, _LONG_SUFFIX = "/api/v1/batches/", "/report"
# Requests the lane leaves to the stack: CORS answers and bodies are the guards' business.
_NOT_FOR_THE_LANE = frozenset({b"origin", b"content-length", b"transfer-encoding"})
# A token → its principal and its hash (`Authenticator.identify`): the hash keys the rate limit.
Identify = Callable[[str], Awaitable[tuple[Principal, str]]]
# Response heads kept (one per representation of a report and 304-or-not), oldest out first.
_HEADS = 4096


def report_id_of(path: str) -> str | None:
    """The batch id of a report path, as FastAPI's `{batch_id}` (`[^/]+`) would match it."""
    if path.startswith(_SHORT_PREFIX):
        batch_id = path[len(_SHORT_PREFIX) :]
    elif path.startswith(_LONG_PREFIX) and path.endswith(_LONG_SUFFIX):
        batch_id = path[len(_LONG_PREFIX) : -len(_LONG_SUFFIX)]
    else:
        return None
    return batch_id if batch_id and "/" not in batch_id else None


class ReportLane:
    """Pure ASGI, around the app; `served` counts what it answered, `heads_made` the response
    heads it rendered (once per representation, then reused), `waited` the requests that
    waited for another's read of their report (tests, benches)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        reads: GuardedReads,
        identify: Identify,
        limiter: RateLimiter | None,
    ) -> None:
        self.app = app
        self.reads = reads
        self.identify = identify
        self.limiter = limiter
        self.request_guard = RequestGuard(app, allowed_origins=())  # only its GET rule is asked
        self.served = 0
        self.heads_made = 0
        self._heads: dict[tuple[str, bool], tuple[int, list[tuple[bytes, bytes]]]] = {}
        # Reports a request is reading into memory through the stack (see `_fill`).
        self._filling: dict[str, asyncio.Future[None]] = {}
        self.waited = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            batch_id = report_id_of(scope["path"])
            if batch_id is not None:
                if not self.reads.reports.holds(batch_id):
                    filling = self._filling.get(batch_id)
                    if filling is None:
                        await self._fill(batch_id, scope, receive, send)
                        return
                    self.waited += 1
                    await asyncio.shield(filling)
                if self.reads.reports.holds(batch_id) and await self._serve(scope, send, batch_id):
                    return
        await self.app(scope, receive, send)

    async def _fill(self, batch_id: str, scope: Scope, receive: Receive, send: Send) -> None:
        """The stack answers this request, and its read puts the report in memory (a first
        read, or one `fresh_s` after the last); the lane's requests for the same report that
        come meanwhile wait for it, then are answered from memory, instead of each going
        through the stack to read Redis and compress the report again (under load every
        request in flight did, a stall per report and process every `fresh_s`). If this
        request does not fill the memory (another fleet's, a report not final yet), they go
        to the stack as before, having waited for one request.

        They are let go when this request's response starts (its read is done by then), not
        when its body has gone out: a client that does not read its responses must hold up
        only its own request."""
        filled = asyncio.get_running_loop().create_future()
        self._filling[batch_id] = filled

        def let_waiters_go() -> None:
            if self._filling.get(batch_id) is filled:
                del self._filling[batch_id]
            if not filled.done():
                filled.set_result(None)

        async def send_and_let_go(message: Message) -> None:
            if message["type"] == "http.response.start":
                let_waiters_go()
            await send(message)

        try:
            await self.app(scope, receive, send_and_let_go)
        finally:
            let_waiters_go()

    async def _serve(self, scope: Scope, send: Send, batch_id: str) -> bool:
        """Answer and return True, or return False having changed nothing."""
        asked = _asked(scope["headers"])
        if asked is None or self._refused(scope):
            return False
        authorization, accept_encoding, if_none_match = asked
        client = scope.get("client")
        try:
            principal, hashed_token = await self.identify(bearer_token(authorization))
            caller = Caller(principal=principal, address=client[0] if client else "unknown")
            view = await self.reads.report(caller, batch_id)  # the object-level check first
        except Exception:  # any failure: the stack answers it, with its own handlers
            return False
        if not view.ready or view.etag is None:  # evicted and re-read meanwhile: unfinished
            return False
        if self.limiter is not None:
            try:
                # `caller_of(scope)` for a request whose bearer token was accepted: the
                # same key, without hashing the token a second time.
                decision = await self.limiter.take(token_key(hashed_token))
            except Exception:  # the store is down: the stack fails open and logs it
                return False
            if not decision.allowed:
                return False
        tag, packed, not_modified = report_variant(view, view.etag, accept_encoding, if_none_match)
        head = self._heads.get((tag, not_modified))
        if head is None:
            head = self._head(view, view.etag, accept_encoding, if_none_match)
            self._heads[(tag, not_modified)] = head
        await send({"type": "http.response.start", "status": head[0], "headers": list(head[1])})
        await send({"type": "http.response.body", "body": variant_body(view, packed, not_modified)})
        self.served += 1
        return True

    def _refused(self, scope: Scope) -> bool:
        """`RequestGuard.refusal` of a GET: without a query only its path rule can refuse (a
        GET is never a write), so the query's parsing is skipped then."""
        if scope.get("query_string"):
            return self.request_guard.refusal(scope) is not None
        return has_control_characters(scope["path"])

    def _head(
        self, view: ReportView, etag: str, accept_encoding: str, if_none_match: str | None
    ) -> tuple[int, list[tuple[bytes, bytes]]]:
        """Status and headers of a variant, made once by the route's own code: `finished_report`
        and `add_security_headers` (a variant's head depends only on its ETag and the 304)."""
        asked = {"accept-encoding": accept_encoding}
        if if_none_match is not None:
            asked["if-none-match"] = if_none_match
        response = finished_report(view, etag, asked)
        start: Message = {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
        add_security_headers(start)
        self.heads_made += 1
        if len(self._heads) >= _HEADS:
            self._heads.pop(next(iter(self._heads)))
        return start["status"], list(start["headers"])


def _asked(
    headers: Iterable[tuple[bytes, bytes]],
) -> tuple[str | None, str, str | None] | None:
    """(Authorization, Accept-Encoding, If-None-Match), each its first value as Starlette's
    `Headers.get` reads it; None when a header leaves the request to the stack."""
    authorization = accept_encoding = if_none_match = None
    for name, value in headers:
        if name in _NOT_FOR_THE_LANE:
            return None
        if name == b"authorization" and authorization is None:
            authorization = value.decode("latin-1")
        elif name == b"accept-encoding" and accept_encoding is None:
            accept_encoding = value.decode("latin-1")
        elif name == b"if-none-match" and if_none_match is None:
            if_none_match = value.decode("latin-1")
    return authorization, "" if accept_encoding is None else accept_encoding, if_none_match
