"""PostgreSQL adapter of the BatchRepository port."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import asyncpg

from argus.application.ports import NO_LIMITS, BatchOverview, BatchPage
from argus.domain.batch import Batch, BatchStatus
from argus.domain.errors import NotFound
from argus.domain.identity import Owner
from argus.domain.log_file import FileStatus, LogFile
from argus.domain.upload_policy import BatchLimits, UploadPolicy
from argus.infrastructure.postgres._errors import connection
from argus.infrastructure.postgres.rows import (
    BATCH_COLUMNS,
    COUNTS_SUBQUERY,
    FILE_COLUMNS,
    append_outbox,
    batch_from_row,
    file_from_row,
    overview_from_row,
)

T = TypeVar("T")
# Query filters derived from the domain's definition of a final file state, never restated.
_FINAL_FILE_STATES = [s.value for s in FileStatus if s.is_final]


class PostgresBatchRepository:
    """Batches and files; state changes and their events commit together."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(self, batch: Batch, *, limits: BatchLimits = NO_LIMITS) -> tuple[Batch, bool]:
        async with connection(self._pool) as conn, conn.transaction():
            existing = await self._load(conn, batch.batch_id, lock=False)
            if existing is not None:
                return existing, False
            if limits.max_open_per_vehicle is not None:
                # One vehicle's creates take turns (a transaction-scoped lock on its id), so
                # concurrent creates cannot both pass the count; other vehicles never wait.
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended('open:' || $1, 0))",
                    batch.vehicle_id,
                )
                open_batches = await conn.fetchval(
                    "SELECT count(*) FROM batches WHERE vehicle_id = $1 AND status = $2",
                    batch.vehicle_id,
                    BatchStatus.PENDING.value,
                )
                limits.check_may_open(vehicle_id=batch.vehicle_id, open_batches=open_batches)
            inserted = await conn.fetchval(
                "INSERT INTO batches (batch_id, vehicle_id, fleet_id, status, created_at,"
                " updated_at) VALUES ($1, $2, $3, $4, $5, $6)"
                " ON CONFLICT (batch_id) DO NOTHING RETURNING 1",
                batch.batch_id,
                batch.vehicle_id,
                batch.fleet_id,
                batch.status.value,
                batch.created_at,
                batch.updated_at,
            )
            existing = await self._load(conn, batch.batch_id, lock=False)
        assert existing is not None
        return existing, inserted is not None

    async def get(self, batch_id: str) -> Batch | None:
        async with connection(self._pool) as conn:
            return await self._load(conn, batch_id, lock=False)

    async def add_file(
        self, batch_id: str, log_file: LogFile, *, policy: UploadPolicy | None = None
    ) -> LogFile | None:
        # Load under the row lock, let the domain decide (pending only; a same-name file only
        # as the policy allows; the batch limits), store what it decided. The lock serialises
        # uploads to one batch only for these few statements, not while the bytes stream.
        async with connection(self._pool) as conn, conn.transaction():
            batch = await self._load(conn, batch_id, lock=True)
            if batch is None:
                raise NotFound(f"batch {batch_id} not found")
            replaced = batch.add_file(log_file, policy)
            if replaced is not None:
                await conn.execute("DELETE FROM files WHERE file_id = $1", replaced.file_id)
            await conn.execute(
                "INSERT INTO files (file_id, batch_id, name, size, sha256, blob_key, status)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7)",
                log_file.file_id,
                batch_id,
                log_file.name,
                log_file.size,
                log_file.sha256,
                log_file.blob_key,
                log_file.status.value,
            )
            await conn.execute(
                "UPDATE batches SET updated_at = $2 WHERE batch_id = $1",
                batch_id,
                batch.updated_at,
            )
        return replaced

    async def mutate(self, batch_id: str, change: Callable[[Batch], T]) -> T:
        async with connection(self._pool) as conn, conn.transaction():
            batch = await self._load(conn, batch_id, lock=True)
            if batch is None:
                raise NotFound(f"batch {batch_id} not found")
            before = {f.file_id: f.status for f in batch.files}
            result = change(batch)
            events = batch.pull_events()
            if not events and all(before[f.file_id] is f.status for f in batch.files):
                return result
            await conn.execute(
                "UPDATE batches SET status = $2, failure_reason = $3, updated_at = $4,"
                " version = version + 1 WHERE batch_id = $1",
                batch_id,
                batch.status.value,
                batch.failure_reason,
                batch.updated_at,
            )
            changed = [f for f in batch.files if before[f.file_id] is not f.status]
            if changed:
                await conn.executemany(
                    "UPDATE files SET status = $2, failure_reason = $3, summary_key = $4,"
                    " updated_at = now() WHERE file_id = $1",
                    [(f.file_id, f.status.value, f.failure_reason, f.summary_key) for f in changed],
                )
            await append_outbox(conn, events)
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
        # The file's row lock, not the batch's: outcomes of different files do not wait on
        # each other. The domain decides (first outcome wins); the row is stored if it did.
        async with connection(self._pool) as conn, conn.transaction():
            row = await conn.fetchrow(
                f"SELECT {FILE_COLUMNS} FROM files WHERE file_id = $1 AND batch_id = $2 FOR UPDATE",
                file_id,
                batch_id,
            )
            if row is None:
                return False
            log_file = file_from_row(row)
            if not log_file.record_result(parsed=parsed, summary_key=summary_key, reason=reason):
                return False
            await conn.execute(
                "UPDATE files SET status = $2, summary_key = $3, failure_reason = $4,"
                " updated_at = now() WHERE file_id = $1",
                file_id,
                log_file.status.value,
                log_file.summary_key,
                log_file.failure_reason,
            )
        return True

    async def finished_file_ids(self, batch_id: str) -> tuple[int, list[str]]:
        async with connection(self._pool) as conn:
            row = await conn.fetchrow(
                "SELECT count(*) AS total, coalesce(array_agg(file_id)"
                " FILTER (WHERE status = ANY($2::text[])), '{}') AS finished"
                " FROM files WHERE batch_id = $1",
                batch_id,
                _FINAL_FILE_STATES,
            )
        assert row is not None
        return int(row["total"]), list(row["finished"])

    async def overview(self, batch_id: str) -> BatchOverview | None:
        async with connection(self._pool) as conn:
            row = await conn.fetchrow(
                f"SELECT {BATCH_COLUMNS}, {COUNTS_SUBQUERY} FROM batches b WHERE batch_id = $1",
                batch_id,
            )
        return None if row is None else overview_from_row(row)

    async def list_batches(
        self,
        *,
        vehicle_id: str | None,
        status: BatchStatus | None,
        limit: int,
        offset: int,
        fleet_id: str | None = None,
    ) -> BatchPage:
        where = (
            "($1::text IS NULL OR vehicle_id = $1) AND ($2::text IS NULL OR status = $2)"
            " AND ($3::text IS NULL OR fleet_id = $3)"
        )
        status_value = None if status is None else status.value
        async with connection(self._pool) as conn:
            total = await conn.fetchval(
                f"SELECT count(*) FROM batches WHERE {where}", vehicle_id, status_value, fleet_id
            )
            rows = await conn.fetch(
                f"SELECT {BATCH_COLUMNS}, {COUNTS_SUBQUERY} FROM batches b WHERE {where}"
                " ORDER BY created_at DESC, batch_id LIMIT $4 OFFSET $5",
                vehicle_id,
                status_value,
                fleet_id,
                limit,
                offset,
            )
        return BatchPage(items=[overview_from_row(r) for r in rows], total=int(total))

    async def owner(self, batch_id: str) -> Owner | None:
        async with connection(self._pool) as conn:
            row = await conn.fetchrow(
                "SELECT fleet_id, vehicle_id FROM batches WHERE batch_id = $1", batch_id
            )
        return None if row is None else Owner(row["fleet_id"], row["vehicle_id"])

    async def abandoned_uploads(self, idle_since: datetime, limit: int) -> list[str]:
        async with connection(self._pool) as conn:
            rows = await conn.fetch(
                # Candidates only: Batch.abandon_upload decides again under the row lock. The
                # status is a literal so the partial index batches_pending_by_updated applies.
                f"SELECT batch_id FROM batches WHERE status = '{BatchStatus.PENDING.value}'"
                " AND updated_at < $1 ORDER BY updated_at LIMIT $2",
                idle_since,
                limit,
            )
        return [row["batch_id"] for row in rows]

    async def was_processed(self, consumer: str, event_id: str) -> bool:
        async with connection(self._pool) as conn:
            found = await conn.fetchval(
                "SELECT 1 FROM processed_events WHERE consumer = $1 AND event_id = $2",
                consumer,
                event_id,
            )
        return found is not None

    async def mark_processed(self, consumer: str, event_id: str) -> bool:
        async with connection(self._pool) as conn:
            inserted = await conn.fetchval(
                "INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)"
                " ON CONFLICT DO NOTHING RETURNING 1",
                consumer,
                event_id,
            )
        return inserted is not None

    async def _load(self, conn: asyncpg.Connection, batch_id: str, *, lock: bool) -> Batch | None:
        suffix = " FOR UPDATE" if lock else ""
        row = await conn.fetchrow(
            f"SELECT {BATCH_COLUMNS} FROM batches WHERE batch_id = $1{suffix}", batch_id
        )
        if row is None:
            return None
        files = await conn.fetch(
            f"SELECT {FILE_COLUMNS} FROM files WHERE batch_id = $1 ORDER BY created_at, name",
            batch_id,
        )
        return batch_from_row(row, files)
