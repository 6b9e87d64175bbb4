"""Translate a backing service's connection errors into `Unavailable`, at the adapter boundary.

Each adapter family says which of its library's errors mean "the server is not there"
(`postgres/_errors.py`, `redis/_errors.py`); everything else is a bug and propagates
unchanged. The message names only the kind of failure (it reaches HTTP clients); the library
error is chained as `__cause__` for the logs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from argus.domain.errors import Unavailable


@asynccontextmanager
async def unavailable_on(
    service: str, is_outage: Callable[[Exception], bool]
) -> AsyncIterator[None]:
    """Raise `Unavailable` from an error of the block for which `is_outage` is true."""
    try:
        yield
    except Exception as exc:
        if not is_outage(exc):
            raise
        raise Unavailable(f"{service} is unavailable ({type(exc).__name__})") from exc
