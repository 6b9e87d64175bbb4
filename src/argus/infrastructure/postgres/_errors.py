"""Which PostgreSQL errors mean "the server is not there": those become `Unavailable`.

A server that is down, shutting down, restarting or out of connections is `Unavailable` (the
caller may retry; HTTP answers 503). Anything else — a bad statement, a constraint the code
did not expect — is a bug and propagates unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
import asyncpg.exceptions

from argus.infrastructure.outage import unavailable_on

# Class 08 (connection exception), class 57 (operator intervention: admin/crash shutdown,
# cannot connect now, statement timeout), 53300 (too many connections); OSError and
# TimeoutError come from the socket when the server is not there at all.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
)


def _is_outage(exc: Exception) -> bool:
    # asyncpg also raises InterfaceError for misuse (a bug): only a closed connection or
    # pool is the server going away.
    if isinstance(exc, asyncpg.InterfaceError):
        return "closed" in str(exc)
    return isinstance(exc, CONNECTION_ERRORS)


def translated() -> AbstractAsyncContextManager[None]:
    """Raise `Unavailable` from a PostgreSQL connection error of the block."""
    return unavailable_on("PostgreSQL", _is_outage)


@asynccontextmanager
async def connection(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection whose connection errors (acquiring or using it) are `Unavailable`."""
    async with translated(), pool.acquire() as conn:
        yield conn
