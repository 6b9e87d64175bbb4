"""A report as an HTTP response: its ETag (304 on a matching If-None-Match) and, when the
client accepts it, the gzip variant computed once (decision 0030). The FastAPI routes and the
read lane (`report_lane.py`) both answer through `finished_report`, so their bytes and headers
cannot drift apart."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response

from argus.application.queries import ReportView
from argus.domain.identity import Caller
from argus.interfaces.http.services import HttpServices


async def report_response(
    svc: HttpServices, caller: Caller, batch_id: str, request: Request
) -> Response:
    """The report with its ETag (304 on a matching If-None-Match) and, when the client accepts
    it, the gzip variant computed once (decision 0030)."""
    view = await svc.reads.report(caller, batch_id)
    if not view.ready or view.etag is None:
        return Response(
            view.body,
            status_code=200 if view.ready else 202,
            media_type="application/json",
            # One still in progress is not to be stored at all.
            headers={"Cache-Control": "no-store"},
        )
    return finished_report(view, view.etag, request.headers)


def finished_report(view: ReportView, etag: str, headers: Headers) -> Response:
    # A finished report may be reused by the caller for a minute (never by a shared cache:
    # it is one fleet's); the representation depends on Accept-Encoding.
    packed = view.gzip_body is not None and "gzip" in headers.get("accept-encoding", "")
    tag = etag[:-1] + '-gzip"' if packed else etag
    out = {"Cache-Control": "private, max-age=60", "ETag": tag, "Vary": "Accept-Encoding"}
    if _matches(headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=out)
    if packed:
        out["Content-Encoding"] = "gzip"
    body = view.gzip_body if packed and view.gzip_body is not None else view.body
    return Response(body, status_code=200, media_type="application/json", headers=out)


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of If-None-Match against the current ETag."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(t.strip().removeprefix("W/") == etag for t in if_none_match.split(","))


__all__ = ["finished_report", "report_response"]
