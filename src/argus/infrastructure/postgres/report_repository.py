"""PostgreSQL adapter of the ReportRepository port."""

from __future__ import annotations

from typing import Any

import asyncpg

from argus.application.ports import ReportRecord
from argus.domain.batch import BatchStatus
from argus.domain.events import Event
from argus.infrastructure.postgres._errors import connection
from argus.infrastructure.postgres.rows import append_outbox


class PostgresReportRepository:
    """Reports and diagnoses; `reads` counts database reads (the singleflight test uses it)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self.reads = 0

    async def save_gathered(
        self,
        batch_id: str,
        *,
        summary: dict[str, Any],
        anomalies: list[dict[str, Any]],
        event: Event,
    ) -> bool:
        async with connection(self._pool) as conn, conn.transaction():
            inserted = await conn.fetchval(
                "INSERT INTO reports (batch_id, summary, anomalies) VALUES ($1, $2, $3)"
                " ON CONFLICT (batch_id) DO NOTHING RETURNING 1",
                batch_id,
                summary,
                anomalies,
            )
            if inserted is not None:
                await append_outbox(conn, [event])
        return inserted is not None

    async def save_diagnosis(
        self, batch_id: str, *, diagnosis: dict[str, Any], event: Event
    ) -> bool:
        async with connection(self._pool) as conn, conn.transaction():
            inserted = await conn.fetchval(
                "INSERT INTO ai_diagnoses"
                " (batch_id, component, severity, root_cause, diagnosis, engine)"
                " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (batch_id) DO NOTHING RETURNING 1",
                batch_id,
                diagnosis["component"],
                diagnosis["severity"],
                diagnosis["root_cause"],
                diagnosis,
                diagnosis["engine"],
            )
            if inserted is not None:
                await append_outbox(conn, [event])
        return inserted is not None

    async def load(self, batch_id: str) -> ReportRecord | None:
        self.reads += 1
        async with connection(self._pool) as conn:
            row = await conn.fetchrow(
                "SELECT b.batch_id, b.vehicle_id, b.status, b.failure_reason,"
                " r.summary, r.anomalies, d.diagnosis"
                " FROM batches b LEFT JOIN reports r USING (batch_id)"
                " LEFT JOIN ai_diagnoses d USING (batch_id) WHERE b.batch_id = $1",
                batch_id,
            )
        if row is None:
            return None
        return ReportRecord(
            batch_id=row["batch_id"],
            vehicle_id=row["vehicle_id"],
            status=BatchStatus(row["status"]),
            failure_reason=row["failure_reason"],
            summary=row["summary"],
            anomalies=row["anomalies"],
            diagnosis=row["diagnosis"],
        )
