"""botocore and aiohttp errors translated into Argus errors at the adapter's boundary."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from botocore.exceptions import BotoCoreError, ClientError

from argus.domain.errors import ArgusError, NotFound, Unavailable

# "404" is what HEAD requests report: they have no body to carry an error code.
_MISSING_CODES = frozenset({"NoSuchKey", "NotFound", "404"})
_RETRYABLE_CODES = frozenset({"SlowDown", "ServiceUnavailable", "RequestTimeout", "Throttling"})


def error_code(exc: ClientError) -> str:
    """The S3 error code of a failed call ("NoSuchKey", "404", …)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_missing(exc: ClientError) -> bool:
    """True when the error says the object (not the bucket) does not exist."""
    return error_code(exc) in _MISSING_CODES


def translate(exc: Exception, *, key: str) -> ArgusError:
    """The Argus error for a failed S3 call on `key`."""
    if isinstance(exc, ClientError):
        code = error_code(exc)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _MISSING_CODES:
            return NotFound(f"object {key} not found")
        if code in _RETRYABLE_CODES or status >= 500:
            return Unavailable(f"object storage failed on {key}: {code} ({status})")
        return ArgusError(f"object storage refused an operation on {key}: {code} ({status})")
    return Unavailable(f"object storage unreachable for {key}: {exc!r}")


@asynccontextmanager
async def translated(key: str) -> AsyncIterator[None]:
    """Run a block of S3 calls, raising Argus errors `from` the library's."""
    try:
        yield
    except (TimeoutError, ClientError, BotoCoreError, aiohttp.ClientError) as exc:
        raise translate(exc, key=key) from exc
