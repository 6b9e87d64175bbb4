"""Browser rules and hostile input, before routing: security headers on every response, no
cross-origin writes from origins outside the allow-list, JSON routes accept JSON only and the
raw upload route no form types (415), and no control characters in the path or the query
(400, where they would otherwise reach the database as a 500)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from argus.domain.identifiers import has_control_characters
from argus.interfaces.http.errors import send_error
from argus.interfaces.http.routes_kind import RouteKind, header, kind_of

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # The API serves JSON and event streams, never a page: nothing may run or be embedded.
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
# Unless a route chose its own (the SSE stream), API answers are not for any cache.
DEFAULT_CACHE_CONTROL = "no-store"
# The three types a browser sends cross-origin without asking first (CORS "simple" requests).
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SecurityHeaders:
    """Adds the headers above to every response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(message)
            await send(message)

        await self.app(scope, receive, with_headers)


def add_security_headers(message: Message) -> None:
    """The headers above into an `http.response.start` message, unless it has its own."""
    headers = MutableHeaders(scope=message)
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    headers.setdefault("Cache-Control", DEFAULT_CACHE_CONTROL)


class RequestGuard:
    """Refuses what a browser (or a hostile client) should not get past the router."""

    def __init__(self, app: ASGIApp, *, allowed_origins: tuple[str, ...]) -> None:
        self.app = app
        self.allowed_origins = frozenset(allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is not None:
            await send_error(send, *refusal)
            return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """(status, message) when the request is refused, else None."""
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        if has_control_characters(scope["path"]) or any(
            has_control_characters(k) or has_control_characters(v)
            for k, v in parse_qsl(query, keep_blank_values=True)
        ):
            return 400, "the path and query must not contain control characters"
        if scope["method"] not in _WRITES:
            return None
        origin = header(scope, b"origin")
        if origin is not None and not self._origin_allowed(scope, origin):
            return 403, f"cross-origin writes from {origin[:100]!r} are not allowed"
        media_type = _media_type(header(scope, b"content-type"))
        if kind_of(scope) is RouteKind.UPLOAD:
            if media_type in FORM_TYPES:
                return 415, "upload the raw file body (application/octet-stream), not a form"
            return None
        if media_type is None:
            if _has_body(scope):
                return 415, "a request body must be JSON (Content-Type: application/json)"
            return None
        if media_type != "application/json" and not media_type.endswith("+json"):
            return 415, f"a request body must be JSON, not {media_type[:100]}"
        return None

    def _origin_allowed(self, scope: Scope, origin: str) -> bool:
        if origin.rstrip("/") in self.allowed_origins:
            return True
        host = header(scope, b"host")
        scheme = scope.get("scheme", "http")
        return host is not None and origin == f"{scheme}://{host}"  # same origin


def _media_type(content_type: str | None) -> str | None:
    if content_type is None:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _has_body(scope: Scope) -> bool:
    length = header(scope, b"content-length")
    if length is not None:
        return length.strip() not in {"", "0"}
    return header(scope, b"transfer-encoding") is not None
