"""Gather and diagnose: the per-batch use cases after the barrier opens.

The analysis itself is pure domain logic (`argus.domain.analysis`); these handlers load its
inputs, run it off the event loop and store its typed results through `ReportRepository`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from argus.application.diagnosis.ports import Diagnoser
from argus.application.ports import BatchRepository, BlobStore, ReportRepository
from argus.domain.analysis import FileResult, TemplateMiner, gather
from argus.domain.errors import NotFound
from argus.domain.events import (
    AllFilesParsed,
    BatchGathered,
    DiagnosisCompleted,
    DiagnosisRequested,
    Event,
)
from argus.domain.log_file import FileStatus, LogFile
from argus.domain.parsed_file import ParsedFile

log = logging.getLogger(__name__)


class GatherHandler:
    """On `AllFilesParsed`: merge the file summaries into the batch report."""

    def __init__(
        self,
        *,
        batches: BatchRepository,
        blobs: BlobStore,
        reports: ReportRepository,
        template_miner: Callable[[], TemplateMiner],
        top_k: int,
    ) -> None:
        self._batches = batches
        self._blobs = blobs
        self._reports = reports
        self._new_miner = template_miner
        self._top_k = top_k

    async def handle(self, event: Event) -> None:
        """Gather the batch of an `AllFilesParsed` event; other events are ignored."""
        if isinstance(event, AllFilesParsed):
            await self.gather(event.batch_id)

    async def gather(self, batch_id: str) -> None:
        """Gather one batch; a repeated call stores nothing twice."""
        batch = await self._batches.get(batch_id)
        if batch is None:
            raise NotFound(f"batch {batch_id} not found")
        results = [await self._load(f) for f in batch.files]
        # Template mining and scoring are CPU work: keep the event loop free for the API.
        outcome = await asyncio.to_thread(
            gather, results, template_miner=self._new_miner(), top_k=self._top_k
        )
        await self._reports.save_gathered(
            batch.batch_id,
            summary=outcome.summary,
            anomalies=outcome.anomalies,
            event=BatchGathered(
                batch_id=batch.batch_id,
                vehicle_id=batch.vehicle_id,
                anomaly_count=len(outcome.anomalies),
            ),
        )

    async def _load(self, log_file: LogFile) -> FileResult:
        parsed = None
        if log_file.summary_key is not None:
            try:
                raw = await self._blobs.get_bytes(log_file.summary_key)
                parsed = ParsedFile.from_dict(json.loads(raw))
            except NotFound:
                log.warning("summary of %s is missing", log_file.file_id)
        reason = log_file.failure_reason if log_file.status is FileStatus.FAILED else None
        return FileResult(file_name=log_file.name, parsed=parsed, failure_reason=reason)


class DiagnoseHandler:
    """On `DiagnosisRequested`: diagnose the Top-K anomalies and store the diagnosis."""

    def __init__(self, *, reports: ReportRepository, diagnoser: Diagnoser) -> None:
        self._reports = reports
        self._diagnoser = diagnoser

    async def handle(self, event: Event) -> None:
        """Diagnose the batch of a `DiagnosisRequested` event; other events are ignored."""
        if isinstance(event, DiagnosisRequested):
            await self.diagnose(event.batch_id)

    async def diagnose(self, batch_id: str) -> None:
        """Diagnose once; a stored diagnosis is never recomputed (LLM calls cost money)."""
        record = await self._reports.load(batch_id)
        if record is None or record.summary is None or record.anomalies is None:
            raise NotFound(f"gathered report of {batch_id} not found")
        if record.diagnosis is not None:
            return
        diagnosis = await self._diagnoser.diagnose(
            batch_id=record.batch_id,
            vehicle_id=record.vehicle_id,
            summary=record.summary,
            anomalies=record.anomalies,
        )
        await self._reports.save_diagnosis(
            record.batch_id,
            diagnosis=diagnosis,
            event=DiagnosisCompleted(
                batch_id=record.batch_id, component=diagnosis.component, severity=diagnosis.severity
            ),
        )
