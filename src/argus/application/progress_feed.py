"""Live progress for many followers of one batch with one blocking read per batch.

Every Server-Sent-Events client follows a batch's progress stream. Read naively, each client
holds a Redis connection in a blocking read and, whenever nothing arrives, asks PostgreSQL
whether the batch has finished: a thousand dashboards on one batch are a thousand blocked
connections (the pool has 256) and a thousand database reads per interval.

`ProgressFeed` gives each batch followed in this process one watcher task: it alone waits on
the stream (blocking read) and alone asks the database when the stream is quiet. Followers wait
on the watcher's signal. A follower that is level with the watcher takes the entries the
watcher just read; one that is behind (it resumed from an old `Last-Event-ID`) reads after its
own cursor with a non-blocking read until it catches up.
Design: docs/decisions/0014-progress-fan-out.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Protocol

from argus.application.ports import BatchOverview, ProgressChannel, ProgressEntry
from argus.domain.batch import BatchStatus
from argus.domain.errors import Unavailable

log = logging.getLogger(__name__)

# A final batch's last entries follow its database commit through the outbox and the bus; a
# watcher that finds the batch final by the database waits this long for them before ending.
_STRAGGLER_MS = 1_000
# Failed rounds in a row after which a watcher gives up and fails its followers' streams (a
# client then reconnects, possibly to another process) instead of sending keep-alives forever.
_MAX_FAILURES = 3


def _order(entry_id: str | None) -> tuple[int, int]:
    """Stream ids sort as (milliseconds, sequence); None (the start) before all."""
    if entry_id is None:
        return (0, 0)
    millis, _, sequence = entry_id.partition("-")
    return (int(millis), int(sequence or 0))


def is_final_entry(entry: ProgressEntry) -> bool:
    """A `status` entry that names a final state: nothing follows it."""
    data = entry.data
    return data.get("type") == "status" and BatchStatus(str(data["status"])).is_final


class BatchOverviews(Protocol):
    """The one thing the feed asks the database (any `BatchRepository` answers it)."""

    async def overview(self, batch_id: str) -> BatchOverview | None: ...


@dataclass
class _Watch:
    """The shared wait on one batch's stream."""

    followers: int = 0
    generation: int = 0  # bumped when the stream grew, or the batch ended
    ended: bool = False  # a final entry came, or the batch is final (or gone) by the database
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    task: asyncio.Task[None] | None = None
    cursor: str | None = None  # the last entry the watcher read
    published: list[ProgressEntry] = field(default_factory=list)  # its last read…
    published_after: str | None = None  # …which came after this entry
    failure: BaseException | None = None  # why the watcher gave up


class ProgressFeed:
    """One watcher per followed batch; any number of followers, each with its own cursor."""

    def __init__(
        self, *, channel: ProgressChannel, batches: BatchOverviews, block_ms: int = 15_000
    ) -> None:
        self._channel = channel
        self._batches = batches
        self._block_ms = block_ms
        self._watches: dict[str, _Watch] = {}

    def watched_batches(self) -> int:
        """Batches with a watcher now (for tests and metrics)."""
        return len(self._watches)

    async def follow(
        self, batch_id: str, *, after: str | None
    ) -> AsyncGenerator[list[ProgressEntry], None]:
        """New entries after `after`, as they come; an empty list when nothing came for
        `block_ms` (time for a keep-alive). Ends after a final status entry, or when the
        batch is final or gone and the stream has nothing more."""
        cursor = after
        watch = self._join(batch_id)
        try:
            while True:
                if isinstance(watch.failure, Unavailable):
                    raise Unavailable(
                        f"live progress of batch {batch_id} is unavailable: {watch.failure}"
                    ) from watch.failure
                if watch.failure is not None:
                    raise RuntimeError(f"progress watch of {batch_id} failed") from watch.failure
                seen = watch.generation  # before looking: a change after it wakes us
                entries = await self._next(batch_id, watch, cursor)
                if entries:
                    cursor = entries[-1].entry_id
                    yield entries
                    if any(is_final_entry(e) for e in entries):
                        return
                    continue
                if watch.ended:
                    return
                if watch.task is None:
                    watch.cursor = cursor  # from here on, nothing can be missed
                    watch.task = asyncio.create_task(self._watch(batch_id, watch))
                if not await self._wait(watch, seen):
                    yield []
        finally:
            self._leave(batch_id, watch)

    async def _next(self, batch_id: str, watch: _Watch, cursor: str | None) -> list[ProgressEntry]:
        """What follows `cursor`: from the watcher's last read if it starts there, nothing if
        the follower is level with the watcher (it signals anything newer), else from Redis."""
        if watch.task is not None:
            if cursor == watch.cursor:
                return []
            if watch.published and watch.published_after == cursor:
                return watch.published
        return await self._channel.read(batch_id, after=cursor, block_ms=0)

    def _join(self, batch_id: str) -> _Watch:
        watch = self._watches.get(batch_id)
        if watch is None or watch.ended:
            watch = self._watches[batch_id] = _Watch()
        watch.followers += 1
        return watch

    def _leave(self, batch_id: str, watch: _Watch) -> None:
        # Synchronous on purpose: it runs in `finally` of a follower that may be cancelled,
        # and an await here could swallow or be cut by that cancellation.
        watch.followers -= 1
        if watch.followers > 0:
            return
        if self._watches.get(batch_id) is watch:
            del self._watches[batch_id]
        if watch.task is not None:
            watch.task.cancel()

    async def _wait(self, watch: _Watch, seen: int) -> bool:
        """True when the watch changed since `seen`, False after `block_ms` without change."""
        async with watch.changed:
            try:
                await asyncio.wait_for(
                    watch.changed.wait_for(lambda: watch.generation != seen),
                    timeout=self._block_ms / 1000,
                )
            except TimeoutError:
                return False
        return True

    @staticmethod
    async def _end_with(watch: _Watch, failure: Exception) -> None:
        async with watch.changed:
            watch.failure = failure
            watch.ended = True
            watch.generation += 1
            watch.changed.notify_all()

    async def _watch(self, batch_id: str, watch: _Watch) -> None:
        """Block on the stream from `watch.cursor` (the first follower's, so nothing is missed),
        publish what comes and signal it; when quiet, ask the database once for everyone."""
        started = False
        failures = 0
        while True:
            try:
                if not started:
                    # A client may resume after an id the stream never had (a made-up
                    # Last-Event-ID): start no later than the newest entry, or the watcher
                    # would wait for ids that never come while everyone else waits on it.
                    newest = await self._channel.last_id(batch_id)
                    if _order(newest) < _order(watch.cursor):
                        watch.cursor = newest
                    started = True
                entries = await self._channel.read(
                    batch_id, after=watch.cursor, block_ms=self._block_ms
                )
                if not entries:
                    overview = await self._batches.overview(batch_id)
                    if overview is not None and not overview.status.is_final:
                        failures = 0
                        continue
                    entries = await self._channel.read(
                        batch_id, after=watch.cursor, block_ms=_STRAGGLER_MS
                    )
                failures = 0
            except Unavailable as exc:
                failures += 1
                if failures < _MAX_FAILURES:
                    log.warning("progress watch on %s: %s; retrying", batch_id, exc)
                    await asyncio.sleep(1)
                    continue
                log.error("progress watch on %s gave up: %s", batch_id, exc)
                await self._end_with(watch, exc)
                return
            except Exception as exc:
                # A bug, not an outage: no retry. Caught only to hand it to the followers
                # (who raise it) — a watcher task dying silently would leave them waiting.
                log.exception("progress watch on %s failed", batch_id)
                await self._end_with(watch, exc)
                return
            async with watch.changed:
                if entries:
                    watch.published_after, watch.published = watch.cursor, entries
                    watch.cursor = entries[-1].entry_id
                # Quiet and final by the database, or a final entry: nothing more will come.
                watch.ended = not entries or any(is_final_entry(e) for e in entries)
                watch.generation += 1
                watch.changed.notify_all()
            if watch.ended:
                return
