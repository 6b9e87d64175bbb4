"""PostgreSQL adapter of the ReportRepository port.

The analysis types go in and out as their JSON form (`to_dict` / `from_dict`) in jsonb
columns; `migrations/0001_initial.sql` defines the tables (0003 the feedback joined in).
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from argus.application.ports import ReportRecord
from argus.domain.analysis import Anomaly, BatchSummary, Diagnosis
from argus.domain.batch import BatchStatus
from argus.domain.events import Event
from argus.infrastructure.postgres._errors import connection
from argus.infrastructure.postgres.feedback_repository import FEEDBACK_COLUMNS, feedback_from_row
from argus.infrastructure.postgres.rows import append_outbox


class PostgresReportRepository:
    """Reports (summary + Top-K anomalies) and diagnoses, each written once per batch."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def save_gathered(
        self,
        batch_id: str,
        *,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        event: Event,
    ) -> bool:
        async with connection(self._pool) as conn, conn.transaction():
            inserted = await conn.fetchval(
                "INSERT INTO reports (batch_id, summary, anomalies) VALUES ($1, $2, $3)"
                " ON CONFLICT (batch_id) DO NOTHING RETURNING 1",
                batch_id,
                summary.to_dict(),
                [a.to_dict() for a in anomalies],
            )
            if inserted is not None:
                await append_outbox(conn, [event])
        return inserted is not None

    async def save_diagnosis(self, batch_id: str, *, diagnosis: Diagnosis, event: Event) -> bool:
        async with connection(self._pool) as conn, conn.transaction():
            inserted = await conn.fetchval(
                "INSERT INTO ai_diagnoses"
                " (batch_id, component, severity, root_cause, diagnosis, engine)"
                " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (batch_id) DO NOTHING RETURNING 1",
                batch_id,
                diagnosis.component,
                diagnosis.severity,
                diagnosis.root_cause,
                diagnosis.to_dict(),
                diagnosis.engine,
            )
            if inserted is not None:
                await append_outbox(conn, [event])
        return inserted is not None

    async def load(self, batch_id: str) -> ReportRecord | None:
        async with connection(self._pool) as conn:
            row = await conn.fetchrow(
                "SELECT b.batch_id, b.vehicle_id, b.status, b.failure_reason,"
                f" r.summary, r.anomalies, d.diagnosis, {FEEDBACK_COLUMNS}"
                " FROM batches b LEFT JOIN reports r USING (batch_id)"
                " LEFT JOIN ai_diagnoses d USING (batch_id)"
                " LEFT JOIN diagnosis_feedback f USING (batch_id) WHERE b.batch_id = $1",
                batch_id,
            )
        if row is None:
            return None
        summary, anomalies, diagnosis = row["summary"], row["anomalies"], row["diagnosis"]
        return ReportRecord(
            batch_id=row["batch_id"],
            vehicle_id=row["vehicle_id"],
            status=BatchStatus(row["status"]),
            failure_reason=row["failure_reason"],
            summary=None if summary is None else BatchSummary.from_dict(summary),
            anomalies=None if anomalies is None else tuple(Anomaly.from_dict(a) for a in anomalies),
            diagnosis=None if diagnosis is None else Diagnosis.from_dict(diagnosis),
            feedback=feedback_from_row(row),
        )
