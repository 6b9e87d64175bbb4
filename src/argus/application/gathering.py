"""Gather and diagnose: the per-batch use cases after the barrier opens.

The analysis itself is pure domain logic (`argus.domain.analysis`); these handlers load its
inputs, run it off the event loop and store its typed results through `ReportRepository`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Callable

from argus.application.diagnosis.ports import Diagnoser, DiagnosisLock, IncidentMemory
from argus.application.ports import BatchRepository, BlobStore, ReportRepository
from argus.domain.analysis import FileResult, Precedent, TemplateMiner, gather
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
    """On `DiagnosisRequested`: diagnose the Top-K anomalies once, with precedents, and store it.

    The check for a stored diagnosis and the diagnosis itself run under the batch's lock, so
    concurrent and repeated deliveries call the model at most once per batch.
    """

    def __init__(
        self,
        *,
        reports: ReportRepository,
        diagnoser: Diagnoser,
        memory: IncidentMemory,
        lock: DiagnosisLock,
        precedents_k: int,
    ) -> None:
        self._reports = reports
        self._diagnoser = diagnoser
        self._memory = memory
        self._lock = lock
        self._k = precedents_k

    async def handle(self, event: Event) -> None:
        """Diagnose the batch of a `DiagnosisRequested` event; other events are ignored."""
        if isinstance(event, DiagnosisRequested):
            await self.diagnose(event.batch_id)

    async def diagnose(self, batch_id: str) -> None:
        """Diagnose once; a stored diagnosis is never recomputed (LLM calls cost money)."""
        if await self._stored(batch_id):
            return  # the common redelivery: no lock needed
        async with self._lock.hold(batch_id):
            record = await self._reports.load(batch_id)
            if record is None or record.summary is None or record.anomalies is None:
                raise NotFound(f"gathered report of {batch_id} not found")
            if record.diagnosis is not None:
                return
            batch, vehicle = record.batch_id, record.vehicle_id
            summary, anomalies = record.summary, record.anomalies
            precedents: list[Precedent] = []
            if self._k > 0:
                precedents = await self._memory.similar(
                    batch_id=batch,
                    vehicle_id=vehicle,
                    summary=summary,
                    anomalies=anomalies,
                    k=self._k,
                )
            diagnosis = await self._diagnoser.diagnose(
                batch_id=batch,
                vehicle_id=vehicle,
                summary=summary,
                anomalies=anomalies,
                precedents=precedents,
            )
            if not diagnosis.precedents and precedents:
                # The report shows the precedents whichever diagnoser ran (the rules ignore them).
                diagnosis = dataclasses.replace(diagnosis, precedents=tuple(precedents))
            await self._reports.save_diagnosis(
                record.batch_id,
                diagnosis=diagnosis,
                event=DiagnosisCompleted(
                    batch_id=record.batch_id,
                    component=diagnosis.component,
                    severity=diagnosis.severity,
                ),
            )
        await self._memory.remember(
            batch_id=batch,
            vehicle_id=vehicle,
            summary=summary,
            anomalies=anomalies,
            diagnosis=diagnosis,
        )

    async def _stored(self, batch_id: str) -> bool:
        record = await self._reports.load(batch_id)
        return record is not None and record.diagnosis is not None
