"""Gather and diagnose: the per-batch stages after the barrier opens."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from argus.application.diagnosis.ports import Diagnoser
from argus.application.gather import FileResult, gather
from argus.application.gather.ports import TemplateMiner
from argus.application.ports import BatchRepository, BlobStore, ReportRepository
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
from argus.domain.report import Anomaly

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
        """Gather one batch; a redelivered event stores nothing twice."""
        if not isinstance(event, AllFilesParsed):
            return
        batch = await self._batches.get(event.batch_id)
        if batch is None:
            raise NotFound(f"batch {event.batch_id} not found")
        results = [await self._load(f) for f in batch.files]
        # Template mining and scoring are CPU work: keep the event loop free for the API.
        outcome = await asyncio.to_thread(
            gather, results, template_miner=self._new_miner(), top_k=self._top_k
        )
        await self._reports.save_gathered(
            batch.batch_id,
            summary=outcome.summary,
            anomalies=[a.to_dict() for a in outcome.anomalies],
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
        """Diagnose once; a stored diagnosis is never recomputed (LLM calls cost money)."""
        if not isinstance(event, DiagnosisRequested):
            return
        record = await self._reports.load(event.batch_id)
        if record is None or record.summary is None or record.anomalies is None:
            raise NotFound(f"gathered report of {event.batch_id} not found")
        if record.diagnosis is not None:
            return
        anomalies = [Anomaly.from_dict(a) for a in record.anomalies]
        diagnosis = await self._diagnoser.diagnose(
            batch_id=record.batch_id,
            vehicle_id=record.vehicle_id,
            summary=record.summary,
            anomalies=anomalies,
        )
        await self._reports.save_diagnosis(
            record.batch_id,
            diagnosis=diagnosis.to_dict(),
            event=DiagnosisCompleted(
                batch_id=record.batch_id, component=diagnosis.component, severity=diagnosis.severity
            ),
        )
