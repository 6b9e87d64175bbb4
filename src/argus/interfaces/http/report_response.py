"""A report as an HTTP response: its ETag (304 on a matching If-None-Match) and, when the
client accepts it, the gzip variant computed once (decision 0030). The FastAPI routes and the
read lane (`report_lane.py`) both answer through `finished_report`, so their bytes and headers
cannot drift apart."""

from __future__ import annotations

from collections.abc import Mapping

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


def report_variant(
    view: ReportView, etag: str, accept_encoding: str, if_none_match: str | None
) -> tuple[str, bool, bool]:
    """(the ETag of the representation, whether it is the gzip one, whether the client's copy
    is current: 304). The response is a function of these three and the report."""
    packed = view.gzip_body is not None and "gzip" in accept_encoding
    tag = etag[:-1] + '-gzip"' if packed else etag
    return tag, packed, _matches(if_none_match, tag)


def variant_body(view: ReportView, packed: bool, not_modified: bool) -> bytes:
    """The body `finished_report` sends for that variant."""
    if not_modified:
        return b""
    return view.gzip_body if packed and view.gzip_body is not None else view.body


def finished_report(view: ReportView, etag: str, headers: Mapping[str, str]) -> Response:
    # A finished report may be reused by the caller for a minute (never by a shared cache:
    # it is one fleet's); the representation depends on Accept-Encoding.
    tag, packed, not_modified = report_variant(
        view, etag, headers.get("accept-encoding", ""), headers.get("if-none-match")
    )
    out = {"Cache-Control": "private, max-age=60", "ETag": tag, "Vary": "Accept-Encoding"}
    if not_modified:
        return Response(status_code=304, headers=out)
    if packed:
        out["Content-Encoding"] = "gzip"
    body = variant_body(view, packed, not_modified)
    return Response(body, status_code=200, media_type="application/json", headers=out)


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of If-None-Match against the current ETag."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(t.strip().removeprefix("W/") == etag for t in if_none_match.split(","))


__all__ = ["finished_report", "report_response", "report_variant", "variant_body"]
