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
        self._calls: dict[str, asyncio.Task[T]] = {}

    async def do(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` unless a call for `key` is already running; return its result."""
        task = self._calls.get(key)
        if task is None:
            # The work runs in a task of its own: no caller's cancellation (a client that went
            # away) cancels it for the others; shield() below protects it from each of them.
            task = asyncio.ensure_future(work())
            self._calls[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(task)

    def _forget(self, key: str, done: asyncio.Task[T]) -> None:
        self._calls.pop(key, None)
        if not done.cancelled():
            done.exception()  # retrieved here even if every caller went away meanwhile

    def in_flight(self) -> int:
        """How many keys have a call running (for tests and metrics)."""
        return len(self._calls)
