"""Singleflight across processes and replicas: one database read per miss storm, whoever
serves it (docs/decisions/0030-read-path-at-gin-pace.md).

In front of it, `SingleFlight` merges the callers of one process; this merges the processes.
The process that wins the lease (`FlightLease`, Redis `SET NX PX`) loads; the others poll the
cache until the winner has written it. When the lease goes without a cache entry (the load
failed, or the report was not final and so not cached) a waiter tries for the lease itself:
errors are not cached, and at most one process reads at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from argus.domain.errors import Unavailable

log = logging.getLogger(__name__)
T = TypeVar("T")


class FlightLease(Protocol):
    """Adapter: `argus.infrastructure.redis.flight_lease.RedisFlightLease`."""

    async def acquire(self, key: str) -> str | None:
        """A token when this process now holds the key's lease, None when another does."""

    async def held(self, key: str) -> bool: ...

    async def release(self, key: str, token: str) -> None: ...


class SharedFlight:
    """Runs `load` in one process at a time per key; the others wait for `cached`."""

    def __init__(self, lease: FlightLease, *, poll_s: float = 0.005) -> None:
        self._lease = lease
        self._poll_s = poll_s
        self.waits = 0  # polls of the cache while another process loads (for tests)

    async def do(
        self,
        key: str,
        load: Callable[[], Awaitable[T]],
        cached: Callable[[], Awaitable[T | None]],
    ) -> T:
        while True:
            try:
                token = await self._lease.acquire(key)
            except Unavailable:
                log.warning("flight lease unavailable; loading %s without it", key, exc_info=True)
                return await load()
            if token is not None:
                try:
                    # The previous holder may have written the cache since this process looked.
                    return await cached() or await load()
                finally:
                    await self._let_go(key, token)
            found = await self._wait(key, cached)
            if found is not None:
                return found

    async def _wait(self, key: str, cached: Callable[[], Awaitable[T | None]]) -> T | None:
        """The winner's result from the cache, or None once its lease is gone without one."""
        while True:
            await asyncio.sleep(self._poll_s)
            self.waits += 1
            found = await cached()
            if found is not None:
                return found
            try:
                if not await self._lease.held(key):
                    return await cached()
            except Unavailable:
                return None

    async def _let_go(self, key: str, token: str) -> None:
        try:
            await self._lease.release(key, token)
        except Unavailable:  # it expires by itself
            log.warning("flight lease of %s not released", key, exc_info=True)
