"""Which Redis errors mean "the server is not there": those become `Unavailable`.

A `ResponseError` (a wrong command or script: a bug) propagates unchanged.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

import redis.exceptions

from argus.infrastructure.outage import unavailable_on

CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,  # includes BusyLoadingError (a restart loading its data)
    redis.exceptions.TimeoutError,
    OSError,
    TimeoutError,
)


def _is_outage(exc: Exception) -> bool:
    return isinstance(exc, CONNECTION_ERRORS)


def translated() -> AbstractAsyncContextManager[None]:
    """Raise `Unavailable` from a Redis connection error of the block."""
    return unavailable_on("Redis", _is_outage)
