"""Merge concurrent calls for the same key into one (Go's `singleflight`, for asyncio).

The first caller for a key runs the work; everyone who asks for the same key while it runs
awaits the same future. Nothing is cached afterwards: that is the report cache's job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """One in-flight call per key, shared by every concurrent caller of that key."""

    def __init__(self) -> None:
        self._calls: dict[str, asyncio.Future[T]] = {}

    async def do(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` unless a call for `key` is already running; return its result."""
        running = self._calls.get(key)
        if running is not None:
            # shield: one impatient (cancelled) follower must not cancel the leader's work.
            return await asyncio.shield(running)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._calls[key] = future
        try:
            result = await work()
        except BaseException as exc:
            future.set_exception(exc)
            # Mark the exception retrieved when there were no followers to await it.
            future.exception()
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._calls[key]

    def in_flight(self) -> int:
        """How many keys have a call running (for tests and metrics)."""
        return len(self._calls)
