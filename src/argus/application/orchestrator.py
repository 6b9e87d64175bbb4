"""The orchestrator: drives a batch through its state machine as events arrive.

Redis counts (the barrier), PostgreSQL decides: a file's outcome is stored in PostgreSQL
before it is counted, and the barrier opening is a guarded state transition, so duplicate
deliveries or a lost counter can never emit a second `AllFilesParsed` nor lose a file.
"""

from __future__ import annotations

import logging

from argus.application.ports import Barrier, BatchRepository
from argus.domain.batch import BatchStatus
from argus.domain.errors import Conflict
from argus.domain.events import (
    BatchGathered,
    BatchUploaded,
    DiagnosisCompleted,
    Event,
    FileParsed,
    FileParseFailed,
)

log = logging.getLogger(__name__)


class Orchestrator:
    """Handles batch-level and parse-result events; every handler is idempotent."""

    def __init__(self, *, batches: BatchRepository, barrier: Barrier) -> None:
        self._batches = batches
        self._barrier = barrier

    async def handle(self, event: Event) -> None:
        """Dispatch one event; other types are not the orchestrator's business."""
        if isinstance(event, BatchUploaded):
            await self._scatter(event)
        elif isinstance(event, FileParsed):
            await self._file_finished(
                event, parsed=True, summary_key=event.summary_key, reason=None
            )
        elif isinstance(event, FileParseFailed):
            await self._file_finished(
                event, parsed=False, summary_key=event.summary_key, reason=event.reason
            )
        elif isinstance(event, BatchGathered):
            # Emits DiagnosisRequested in the same transaction: the agent acts only on that,
            # so a diagnosis can never finish before the batch is `diagnosing`.
            await self._batches.mutate(event.batch_id, lambda batch: batch.start_diagnosis())
        elif isinstance(event, DiagnosisCompleted):
            await self._batches.mutate(event.batch_id, lambda batch: batch.finish())

    async def _scatter(self, event: BatchUploaded) -> None:
        batch = await self._batches.get(event.batch_id)
        if batch is None or batch.status is not BatchStatus.UPLOADED:
            # Already scattered (a redelivery): preparing again could re-create a counter
            # that was lost since, empty, and the barrier would then never open.
            return
        # The counter is prepared before the work is handed out (the outbox relays the
        # FileScattered events only after this transaction commits).
        await self._barrier.prepare(event.batch_id, event.total_files)
        await self._batches.mutate(event.batch_id, lambda batch: batch.scatter())

    async def _file_finished(
        self,
        event: FileParsed | FileParseFailed,
        *,
        parsed: bool,
        summary_key: str | None,
        reason: str | None,
    ) -> None:
        # 1. the fact, in PostgreSQL (first outcome wins; duplicates change nothing)
        await self._batches.record_file_result(
            event.batch_id, event.file_id, parsed=parsed, summary_key=summary_key, reason=reason
        )
        # 2. the count, in Redis: idempotent per file id
        count = await self._barrier.arrive(event.batch_id, event.file_id)
        if count is None:
            log.warning("barrier of %s was lost; rebuilding it from PostgreSQL", event.batch_id)
            total, finished = await self._batches.finished_file_ids(event.batch_id)
            await self._barrier.rebuild(event.batch_id, total, finished)
            count = await self._barrier.arrive(event.batch_id, event.file_id)
        if count is None or not count.is_open:
            return
        # 3. the decision, in PostgreSQL: only one transition scattering → gathering exists.
        try:
            await self._batches.mutate(event.batch_id, lambda batch: batch.open_barrier())
        except Conflict as exc:
            # Redis ran ahead of the facts (a counter from another life): the file that
            # really finishes last will open the barrier.
            log.warning("barrier of %s not opened: %s", event.batch_id, exc)
