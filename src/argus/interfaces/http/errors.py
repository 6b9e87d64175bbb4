"""The one place where errors become HTTP status codes, with a JSON body:
`{"error": {"code": ..., "message": ...}}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from argus.domain.errors import (
    ArgusError,
    Conflict,
    Forbidden,
    IntegrityError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unauthenticated,
    Unavailable,
)

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
    (Unavailable, 503),
)


# What a client is told to wait before retrying a 503 (a backend restarting or failing over).
RETRY_AFTER_S = 5


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


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
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal", "internal server error"), status_code=500)
