"""Authentication at the edge: every request but the open paths carries a bearer token.

A pure ASGI middleware, so a request without a valid token is answered 401 before any route,
body parsing or dependency runs (a cross-origin form post never reaches a handler). The
authenticated caller is put in the request state; routes take it with `CallerDep`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from argus.domain.errors import ArgusError, Unauthenticated
from argus.domain.identity import Caller, Principal
from argus.interfaces.http.errors import RETRY_AFTER_S, error_body, status_of

Authenticate = Callable[[str], Awaitable[Principal]]
OPEN_PATHS = frozenset({"/healthz"})
CHALLENGE = (b"www-authenticate", b'Bearer realm="argus"')
CALLER_STATE_KEY = "caller"


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer …` header; Unauthenticated otherwise."""
    if authorization is None:
        raise Unauthenticated("missing Authorization: Bearer token")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization must be 'Bearer <token>'")
    return token.strip()


class BearerAuth:
    """Authenticates every HTTP request outside `OPEN_PATHS`."""

    def __init__(self, app: ASGIApp, *, authenticate: Authenticate) -> None:
        self._app = app
        self._authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self._app(scope, receive, send)
            return
        try:
            principal = await self._authenticate(bearer_token(_header(scope, b"authorization")))
        except ArgusError as exc:  # Unauthenticated (401), or Unavailable (503)
            await _reject(send, exc)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        scope.setdefault("state", {})[CALLER_STATE_KEY] = Caller(
            principal=principal, address=address
        )
        await self._app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _reject(send: Send, exc: ArgusError) -> None:
    status = status_of(exc)
    body = json.dumps(error_body(exc.code, exc.message)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append(CHALLENGE)
    elif status == 503:  # PostgreSQL away and the token not cached: retry, as for any 503
        headers.append((b"retry-after", str(RETRY_AFTER_S).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def caller(request: Request) -> Caller:
    """FastAPI dependency: the caller `BearerAuth` authenticated (async: no thread pool)."""
    found = request.scope.get("state", {}).get(CALLER_STATE_KEY)
    if not isinstance(found, Caller):  # a route outside the middleware: refuse, never guess
        raise Unauthenticated("missing Authorization: Bearer token")
    return found


CallerDep = Annotated[Caller, Depends(caller)]
