"""In-memory fakes of the PostgreSQL ports; the contract tests hold them to the same rules."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from argus.application.ports import NO_LIMITS, BatchOverview, BatchPage, ReportRecord
from argus.domain.analysis import Anomaly, BatchSummary, Diagnosis, JsonObject
from argus.domain.analysis.feedback import Feedback
from argus.domain.batch import Batch, BatchStatus
from argus.domain.errors import Conflict, NotFound
from argus.domain.events import Event
from argus.domain.identity import Owner
from argus.domain.log_file import FileStatus, LogFile
from argus.domain.upload_policy import BatchLimits, UploadPolicy

T = TypeVar("T")


class FakeStore:
    """Shared 'database' of the fakes: batches, reports, diagnoses, feedback and the outbox."""

    def __init__(self) -> None:
        self.batches: dict[str, Batch] = {}
        self.reports: dict[str, tuple[BatchSummary, tuple[Anomaly, ...]]] = {}
        self.diagnoses: dict[str, Diagnosis] = {}
        self.feedback: dict[str, Feedback] = {}
        # batch id → (fleet, embedder name, embedding)
        self.vectors: dict[str, tuple[str, str, list[float]]] = {}
        self.outbox: list[tuple[int, Event, bool]] = []
        self.processed: set[tuple[str, str]] = set()
        self.lock = asyncio.Lock()

    def append_outbox(self, events: Sequence[Event]) -> None:
        known = {e.event_id for _, e, _ in self.outbox}
        for event in events:
            if event.event_id not in known:
                self.outbox.append((len(self.outbox) + 1, event, False))


class FakeBatchRepository:
    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store or FakeStore()

    async def create(self, batch: Batch, *, limits: BatchLimits = NO_LIMITS) -> tuple[Batch, bool]:
        if batch.batch_id in self.store.batches:
            return copy.deepcopy(self.store.batches[batch.batch_id]), False
        open_batches = sum(
            1
            for b in self.store.batches.values()
            if b.vehicle_id == batch.vehicle_id and b.status is BatchStatus.PENDING
        )
        limits.check_may_open(vehicle_id=batch.vehicle_id, open_batches=open_batches)
        self.store.batches[batch.batch_id] = copy.deepcopy(batch)
        return copy.deepcopy(batch), True

    async def get(self, batch_id: str) -> Batch | None:
        batch = self.store.batches.get(batch_id)
        return None if batch is None else copy.deepcopy(batch)

    async def add_file(
        self, batch_id: str, log_file: LogFile, *, policy: UploadPolicy | None = None
    ) -> LogFile | None:
        async with self.store.lock:
            batch = self._require(batch_id)
            return batch.add_file(copy.deepcopy(log_file), policy)

    async def mutate(self, batch_id: str, change: Callable[[Batch], T]) -> T:
        async with self.store.lock:
            working = copy.deepcopy(self._require(batch_id))
            result = change(working)
            self.store.append_outbox(working.pull_events())
            self.store.batches[batch_id] = working
            return result

    async def record_file_result(
        self,
        batch_id: str,
        file_id: str,
        *,
        parsed: bool,
        summary_key: str | None,
        reason: str | None,
    ) -> bool:
        log_file = self._require(batch_id).file(file_id)
        if log_file is None:
            return False
        return log_file.record_result(parsed=parsed, summary_key=summary_key, reason=reason)

    async def finished_file_ids(self, batch_id: str) -> tuple[int, list[str]]:
        batch = self._require(batch_id)
        return len(batch.files), [f.file_id for f in batch.files if f.status.is_final]

    async def overview(self, batch_id: str) -> BatchOverview | None:
        batch = self.store.batches.get(batch_id)
        return None if batch is None else _overview(batch)

    async def owner(self, batch_id: str) -> Owner | None:
        batch = self.store.batches.get(batch_id)
        return None if batch is None else Owner(batch.fleet_id, batch.vehicle_id)

    async def list_batches(
        self,
        *,
        vehicle_id: str | None,
        status: BatchStatus | None,
        limit: int,
        offset: int,
        fleet_id: str | None = None,
    ) -> BatchPage:
        found = [
            b
            for b in self.store.batches.values()
            if (vehicle_id is None or b.vehicle_id == vehicle_id)
            and (status is None or b.status is status)
            and (fleet_id is None or b.fleet_id == fleet_id)
        ]
        found.sort(key=lambda b: (b.created_at, b.batch_id), reverse=True)
        return BatchPage(
            items=[_overview(b) for b in found[offset : offset + limit]], total=len(found)
        )

    async def abandoned_uploads(self, idle_since: datetime, limit: int) -> list[str]:
        stale = [
            b
            for b in self.store.batches.values()
            if b.status is BatchStatus.PENDING and b.updated_at < idle_since
        ]
        return [b.batch_id for b in sorted(stale, key=lambda b: b.updated_at)[:limit]]

    async def was_processed(self, consumer: str, event_id: str) -> bool:
        return (consumer, event_id) in self.store.processed

    async def mark_processed(self, consumer: str, event_id: str) -> bool:
        if (consumer, event_id) in self.store.processed:
            return False
        self.store.processed.add((consumer, event_id))
        return True

    def _require(self, batch_id: str) -> Batch:
        batch = self.store.batches.get(batch_id)
        if batch is None:
            raise NotFound(f"batch {batch_id} not found")
        return batch


def _overview(batch: Batch) -> BatchOverview:
    counts = {status: batch.count(status) for status in FileStatus}
    return BatchOverview(
        batch_id=batch.batch_id,
        vehicle_id=batch.vehicle_id,
        status=batch.status,
        failure_reason=batch.failure_reason,
        created_at=batch.created_at,
        updated_at=batch.updated_at,
        file_counts=counts,
    )


class FakeReportRepository:
    """Stores what the real adapter would read back: every value goes through its JSON form."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.reads = 0  # the fake counts its loads; the real adapter is counted by a wrapper

    async def save_gathered(
        self,
        batch_id: str,
        *,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        event: Event,
    ) -> bool:
        if batch_id in self.store.reports:
            return False
        if batch_id not in self.store.batches:
            raise Conflict(f"batch {batch_id} does not exist")
        self.store.reports[batch_id] = (
            BatchSummary.from_dict(_via_json(summary.to_dict())),
            tuple(Anomaly.from_dict(_via_json(a.to_dict())) for a in anomalies),
        )
        self.store.append_outbox([event])
        return True

    async def save_diagnosis(self, batch_id: str, *, diagnosis: Diagnosis, event: Event) -> bool:
        if batch_id in self.store.diagnoses:
            return False
        self.store.diagnoses[batch_id] = Diagnosis.from_dict(_via_json(diagnosis.to_dict()))
        self.store.append_outbox([event])
        return True

    async def load(self, batch_id: str) -> ReportRecord | None:
        self.reads += 1
        await asyncio.sleep(0)  # a real read yields to the loop; let concurrent callers pile up
        batch = self.store.batches.get(batch_id)
        if batch is None:
            return None
        summary, anomalies = self.store.reports.get(batch_id, (None, None))
        return ReportRecord(
            batch_id=batch_id,
            vehicle_id=batch.vehicle_id,
            status=batch.status,
            failure_reason=batch.failure_reason,
            summary=summary,
            anomalies=anomalies,
            diagnosis=self.store.diagnoses.get(batch_id),
            feedback=self.store.feedback.get(batch_id),
        )


class FakeFeedbackRepository:
    """Feedback per diagnosed batch, stamped with the wall clock like the database does."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store

    async def save(self, batch_id: str, feedback: Feedback) -> tuple[Feedback, bool]:
        if batch_id not in self.store.batches:
            raise NotFound(f"batch {batch_id} not found")
        if batch_id not in self.store.diagnoses:
            raise Conflict(f"batch {batch_id} has no diagnosis yet")
        earlier = self.store.feedback.get(batch_id)
        now = datetime.now(UTC)
        created_at = now if earlier is None or earlier.created_at is None else earlier.created_at
        stored = feedback.stamped(created_at=created_at, updated_at=now)
        self.store.feedback[batch_id] = stored
        return stored, earlier is None


def _via_json(document: JsonObject) -> JsonObject:
    """The document as a jsonb column gives it back: only what JSON can hold survives."""
    loaded: JsonObject = json.loads(json.dumps(document))
    return loaded


class FakeOutbox:
    def __init__(self, store: FakeStore) -> None:
        self.store = store

    async def claim(self, limit: int) -> list[tuple[int, Event]]:
        return [(row_id, e) for row_id, e, published in self.store.outbox if not published][:limit]

    async def mark_published(self, ids: Sequence[int]) -> None:
        wanted = set(ids)
        self.store.outbox = [(i, e, p or i in wanted) for i, e, p in self.store.outbox]

    async def wait_for_new(self, timeout_s: float) -> None:
        await asyncio.sleep(min(timeout_s, 0.01))
