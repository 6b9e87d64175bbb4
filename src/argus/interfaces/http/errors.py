"""The one place where errors become HTTP status codes, with a JSON body:
`{"error": {"code": ..., "message": ...}}`."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from argus.domain.errors import (
    ArgusError,
    Conflict,
    Forbidden,
    IntegrityError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    TooManyRequests,
    Unauthenticated,
    Unavailable,
)
from argus.domain.token_bucket import retry_after_header

log = logging.getLogger(__name__)

# Most specific first: PayloadTooLarge is an InvalidInput.
STATUS_BY_ERROR: tuple[tuple[type[ArgusError], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (PayloadTooLarge, 413),
    (IntegrityError, 422),
    (InvalidInput, 400),
    (Conflict, 409),
    (PreconditionFailed, 412),
    (TooManyRequests, 429),
    (Unavailable, 503),
)

# Codes of the statuses Starlette, FastAPI and the request guards raise themselves.
_HTTP_CODES = {
    400: "invalid_input",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    431: "header_too_large",
}


# What a client is told to wait before retrying a 503 (a backend restarting or failing over).
RETRY_AFTER_S = 5


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def code_of(status: int) -> str:
    """The error code of a status raised outside the domain (guards, routing)."""
    return _HTTP_CODES.get(status, "http_error")


def error_bytes(code: str, message: str) -> bytes:
    """The JSON error body, encoded (for guards that answer below the framework)."""
    return json.dumps(error_body(code, message), separators=(",", ":")).encode()


async def send_error(
    send: Send, status: int, message: str, *, headers: Mapping[str, str] | None = None
) -> None:
    """Answer an ASGI request with the JSON error body (the guards' one way to refuse)."""
    body = error_bytes(code_of(status), message)
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def status_of(error: ArgusError) -> int:
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return status
    return 500


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""

    @app.exception_handler(ArgusError)
    async def argus_error(request: Request, exc: ArgusError) -> JSONResponse:
        status = status_of(exc)
        headers = None
        if status == 401:
            headers = {"WWW-Authenticate": 'Bearer realm="argus"'}
        if isinstance(exc, TooManyRequests) and exc.retry_after_s is not None:
            headers = {"Retry-After": retry_after_header(exc.retry_after_s)}
        if status == 503:
            headers = {"Retry-After": str(RETRY_AFTER_S)}
            cause = exc.__cause__  # the library error, for operators only
            log.warning("%s %s: %s (%r)", request.method, request.url.path, exc.message, cause)
        return JSONResponse(error_body(exc.code, exc.message), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return JSONResponse(error_body("invalid_input", problems), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body(code_of(exc.status_code), str(exc.detail)),
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal", "internal server error"), status_code=500)
