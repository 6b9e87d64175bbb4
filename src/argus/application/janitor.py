"""Ends what uploaders start and never finish, so no batch stays pending forever.

A vehicle that opens a batch and loses its link (or its uploader crashes) never calls
`complete`; a process killed mid-upload leaves a temp file or an open multipart upload. The
janitor, run periodically by the orchestrator, fails pending batches with no upload activity
for `upload_ttl` (the `BatchStatusChanged` event goes out through the outbox, so progress
followers see it), deletes their stored files, and purges the storage's abandoned partial
writes. Design: docs/decisions/0013-abandoned-upload-janitor.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argus.application.ports import BatchRepository, BlobStore
from argus.domain.batch import Batch
from argus.domain.errors import ArgusError, Unavailable

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SweepResult:
    abandoned_batches: list[str]
    deleted_files: int
    purged_partial_uploads: int


class Janitor:
    """One sweep fails idle pending batches and removes their files and partial writes."""

    def __init__(
        self,
        *,
        batches: BatchRepository,
        blobs: BlobStore,
        upload_ttl: timedelta,
        batches_per_sweep: int = 100,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._batches = batches
        self._blobs = blobs
        self._upload_ttl = upload_ttl
        self._batches_per_sweep = batches_per_sweep
        self._clock = clock

    async def sweep(self) -> SweepResult:
        """One pass; processes may sweep at once (failing is locked, deleting idempotent)."""
        idle_since = self._clock() - self._upload_ttl
        abandoned: list[str] = []
        deleted = 0
        for batch_id in await self._batches.abandoned_uploads(idle_since, self._batches_per_sweep):
            # Checked again under the lock: a file may have arrived since the query.
            keys = await self._batches.mutate(batch_id, _abandon(idle_since))
            if keys is None:
                continue
            abandoned.append(batch_id)
            # After the commit: a crash here leaves these files behind (see 0013).
            removed = await self._delete_each(batch_id, keys)
            deleted += removed
            log.warning("batch %s: upload abandoned, %d file(s) deleted", batch_id, removed)
        purged = await self._blobs.purge_partial_uploads(idle_since)
        if purged:
            log.warning("purged %d partial upload(s) idle since %s", purged, idle_since)
        return SweepResult(abandoned, deleted, purged)

    async def _delete_each(self, batch_id: str, keys: list[str]) -> int:
        """Delete what can be deleted: the batch is already failed, so no later sweep will
        come back for a key that fails here; it is logged for an operator instead."""
        removed = 0
        for key in keys:
            try:
                await self._blobs.delete(key)
                removed += 1
            except ArgusError:  # what a blob store reports (Unavailable, ...); bugs propagate
                log.error(
                    "batch %s: could not delete %s; left in storage", batch_id, key, exc_info=True
                )
        return removed

    async def run(self, *, interval_s: float, stop: asyncio.Event) -> None:
        """Sweep every `interval_s` until `stop`; a failed sweep is logged and retried."""
        while not stop.is_set():
            try:
                await self.sweep()
            except Unavailable as exc:
                log.warning("janitor sweep: %s; retrying in %.0f s", exc, interval_s)
            except Exception:
                # Broad on purpose: this loop runs beside the API for the life of the process,
                # and a bug in one sweep must not end every later sweep. Logged with its
                # traceback, unlike an outage.
                log.exception("janitor sweep failed; retrying in %.0f s", interval_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)


def _abandon(idle_since: datetime) -> Callable[[Batch], list[str] | None]:
    def change(batch: Batch) -> list[str] | None:
        if not batch.abandon_upload(idle_since):
            return None
        return [f.blob_key for f in batch.files]

    return change
