"""Read path: reports through cache → singleflight → database."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from argus.application.ports import ReportCache, ReportRecord, ReportRepository
from argus.application.report_memory import ReportMemory, StoredReport
from argus.application.shared_flight import SharedFlight
from argus.application.singleflight import SingleFlight
from argus.domain.analysis import JsonObject
from argus.domain.errors import NotFound, Unavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportView:
    """A serialised report; `ready` is False while the batch is still being processed."""

    ready: bool
    body: bytes
    # Set for a finished report: its strong ETag and gzip variant (computed once, kept in memory).
    etag: str | None = None
    gzip_body: bytes | None = None

    @classmethod
    def stored(cls, entry: StoredReport) -> ReportView:
        return cls(ready=True, body=entry.body, etag=entry.etag, gzip_body=entry.gzip_body)


def render_report(record: ReportRecord) -> JsonObject:
    """The JSON document of `GET /api/report/{id}` (see docs/architecture/read-path.md)."""
    document: JsonObject = {
        "batch_id": record.batch_id,
        "vehicle_id": record.vehicle_id,
        "status": record.status.value,
    }
    if record.failure_reason:
        document["failure_reason"] = record.failure_reason
    if record.status.is_final:
        document["summary"] = None if record.summary is None else record.summary.to_dict()
        document["anomalies"] = [a.to_dict() for a in record.anomalies or ()]
        document["diagnosis"] = None if record.diagnosis is None else record.diagnosis.to_dict()
        document["feedback"] = None if record.feedback is None else record.feedback.to_dict()
    return document


class ReportQuery:
    """Serves reports to many readers: one database read per key however many arrive."""

    def __init__(
        self,
        *,
        reports: ReportRepository,
        cache: ReportCache,
        memory: ReportMemory | None = None,
        shared: SharedFlight | None = None,
    ) -> None:
        self._reports = reports
        self._cache = cache
        # In-process copies of finished reports, in front of Redis (decision 0030).
        self._memory = ReportMemory(max_bytes=0, fresh_s=0) if memory is None else memory
        self._flight: SingleFlight[ReportView] = SingleFlight()
        # Merges the processes (each merged by `_flight` first); None: one process' scope.
        self._shared = shared
        # Where reads were answered from (benches print them: decision 0031).
        self.redis_hits = 0
        self.database_reads = 0

    def counts(self) -> dict[str, int]:
        """Reads answered from this process' memory, from Redis, and database reads made."""
        return {
            "memory_hits": self._memory.hits,
            "redis_hits": self.redis_hits,
            "database_reads": self.database_reads,
        }

    def holds(self, batch_id: str) -> bool:
        """Whether the report is kept in this process (`get` would touch no Redis, no database)."""
        return self._memory.holds(batch_id)

    async def get(self, batch_id: str) -> ReportView:
        """The report of `batch_id`; NotFound for an unknown batch."""
        kept = self._memory.get(batch_id)
        if kept is not None:
            return ReportView.stored(kept)
        cached = await self._cached_view(batch_id)
        if cached is not None:
            return cached
        return await self._flight.do(batch_id, lambda: self._load(batch_id))

    async def _load(self, batch_id: str) -> ReportView:
        # Checked again inside the flight: a reader whose cache miss raced with the previous
        # flight's cache write would otherwise start a second database read.
        cached = await self._cached_view(batch_id)
        if cached is not None or self._shared is None:
            return cached or await self._read(batch_id)
        return await self._shared.do(
            batch_id, lambda: self._read(batch_id), lambda: self._cached_view(batch_id)
        )

    async def _cached_view(self, batch_id: str) -> ReportView | None:
        cached = await self._cached(batch_id)
        if cached is None:
            return None
        self.redis_hits += 1
        return ReportView.stored(self._memory.put(batch_id, cached))

    async def _read(self, batch_id: str) -> ReportView:
        self.database_reads += 1
        record = await self._reports.load(batch_id)
        if record is None:
            raise NotFound(f"batch {batch_id} not found")
        body = json.dumps(render_report(record)).encode()
        ready = record.status.is_final
        if ready:
            # Only final reports are cached: only feedback changes them, and `FeedbackService`
            # deletes the entry when it does.
            try:
                await self._cache.set(batch_id, body)
            except Unavailable:
                log.warning(
                    "report cache unavailable; serving %s uncached", batch_id, exc_info=True
                )
            return ReportView.stored(self._memory.put(batch_id, body))
        return ReportView(ready=False, body=body)

    async def _cached(self, batch_id: str) -> bytes | None:
        # The cache is an optimisation: when Redis is away, readers fall through to PostgreSQL
        # (still one read per key at a time, thanks to the singleflight).
        try:
            return await self._cache.get(batch_id)
        except Unavailable:
            log.warning(
                "report cache unavailable; reading %s from the database", batch_id, exc_info=True
            )
            return None
