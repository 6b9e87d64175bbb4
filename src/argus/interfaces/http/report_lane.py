"""The read lane: `GET` of a finished report this process keeps in memory, answered below
FastAPI's router (decision 0031).

It sits innermost among the guards, right after `BearerAuth`, so everything a request passes
on the way in still runs for it: security headers, the hostile-input rules, the rate limit,
the body guard and the token check. It then skips what the read of an immutable, in-memory
report does not need: route matching, dependency solving, the `Request` object and the
exception middleware. The object-level check is the same call the route makes
(`GuardedReads.report`), and the response is built by the same `finished_report`.

Anything else falls through to FastAPI untouched: another path or method, a report not in
memory (first read, still in progress, evicted), and any error (another fleet's report is then
404 from the route, exactly as without the lane).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from argus.application.identity import GuardedReads
from argus.domain.errors import ArgusError
from argus.domain.identity import Caller
from argus.interfaces.http.auth import CALLER_STATE_KEY
from argus.interfaces.http.report_response import finished_report

# The two routes that answer a report (routes_reports.report, routes_batches.batch_report).
_SHORT_PREFIX = "/api/report/"
_LONG_PREFIX, _LONG_SUFFIX = "/api/v1/batches/", "/report"


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
    """Pure ASGI middleware; `served` counts the requests it answered (for tests and benches)."""

    def __init__(self, app: ASGIApp, *, reads: GuardedReads) -> None:
        self.app = app
        self.reads = reads
        self.served = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            batch_id = report_id_of(scope["path"])
            caller = scope.get("state", {}).get(CALLER_STATE_KEY)
            if (
                batch_id is not None
                and isinstance(caller, Caller)
                and await self._serve(scope, receive, send, caller, batch_id)
            ):
                return
        await self.app(scope, receive, send)

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, caller: Caller, batch_id: str
    ) -> bool:
        if not self.reads.reports.holds(batch_id):
            return False
        try:
            view = await self.reads.report(caller, batch_id)  # the object-level check first
        except ArgusError:
            return False  # the route answers it, with the same error handlers as ever
        if not view.ready or view.etag is None:  # evicted and re-read meanwhile: unfinished
            return False
        response = finished_report(view, view.etag, Headers(scope=scope))
        await response(scope, receive, send)
        self.served += 1
        return True
