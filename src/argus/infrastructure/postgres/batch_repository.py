"""PostgreSQL adapter of the BatchRepository port."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import asyncpg

from argus.application.ports import BatchOverview, BatchPage
from argus.domain.batch import Batch, BatchStatus
from argus.domain.errors import Conflict, NotFound
from argus.domain.log_file import FileStatus, LogFile
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
_FINAL_FILE_STATES = [FileStatus.PARSED.value, FileStatus.FAILED.value]
_OPEN_FILE_STATES = [FileStatus.UPLOADED.value, FileStatus.PARSING.value]


class PostgresBatchRepository:
    """Batches and files; state changes and their events commit together."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(self, batch: Batch) -> tuple[Batch, bool]:
        async with self._pool.acquire() as conn:
            inserted = await conn.fetchval(
                "INSERT INTO batches (batch_id, vehicle_id, status, created_at, updated_at)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (batch_id) DO NOTHING RETURNING 1",
                batch.batch_id,
                batch.vehicle_id,
                batch.status.value,
                batch.created_at,
                batch.updated_at,
            )
            existing = await self._load(conn, batch.batch_id, lock=False)
        assert existing is not None
        return existing, inserted is not None

    async def get(self, batch_id: str) -> Batch | None:
        async with self._pool.acquire() as conn:
            return await self._load(conn, batch_id, lock=False)

    async def add_file(self, batch_id: str, log_file: LogFile) -> LogFile | None:
        async with self._pool.acquire() as conn, conn.transaction():
            status = await conn.fetchval(
                "SELECT status FROM batches WHERE batch_id = $1 FOR UPDATE", batch_id
            )
            if status is None:
                raise NotFound(f"batch {batch_id} not found")
            if status != BatchStatus.PENDING.value:
                raise Conflict(
                    f"batch {batch_id} is {status}; files can only be added while pending"
                )
            old = await conn.fetchrow(
                f"DELETE FROM files WHERE batch_id = $1 AND name = $2 RETURNING {FILE_COLUMNS}",
                batch_id,
                log_file.name,
            )
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
                "UPDATE batches SET updated_at = now() WHERE batch_id = $1", batch_id
            )
        return None if old is None else file_from_row(old)

    async def mutate(self, batch_id: str, change: Callable[[Batch], T]) -> T:
        async with self._pool.acquire() as conn, conn.transaction():
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
        status = FileStatus.PARSED if parsed else FileStatus.FAILED
        async with self._pool.acquire() as conn:
            # First outcome wins; a single-row update, so no lock on the batch row.
            updated = await conn.fetchval(
                "UPDATE files SET status = $3, summary_key = $4, failure_reason = $5,"
                " updated_at = now() WHERE file_id = $1 AND batch_id = $2"
                " AND status = ANY($6::text[]) RETURNING 1",
                file_id,
                batch_id,
                status.value,
                summary_key,
                None if parsed else reason,
                _OPEN_FILE_STATES,
            )
        return updated is not None

    async def finished_file_ids(self, batch_id: str) -> tuple[int, list[str]]:
        async with self._pool.acquire() as conn:
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
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT {BATCH_COLUMNS}, {COUNTS_SUBQUERY} FROM batches b WHERE batch_id = $1",
                batch_id,
            )
        return None if row is None else overview_from_row(row)

    async def list_batches(
        self, *, vehicle_id: str | None, status: BatchStatus | None, limit: int, offset: int
    ) -> BatchPage:
        where = "($1::text IS NULL OR vehicle_id = $1) AND ($2::text IS NULL OR status = $2)"
        status_value = None if status is None else status.value
        async with self._pool.acquire() as conn:
            total = await conn.fetchval(
                f"SELECT count(*) FROM batches WHERE {where}", vehicle_id, status_value
            )
            rows = await conn.fetch(
                f"SELECT {BATCH_COLUMNS}, {COUNTS_SUBQUERY} FROM batches b WHERE {where}"
                " ORDER BY created_at DESC, batch_id LIMIT $3 OFFSET $4",
                vehicle_id,
                status_value,
                limit,
                offset,
            )
        return BatchPage(items=[overview_from_row(r) for r in rows], total=int(total))

    async def abandoned_uploads(self, idle_since: datetime, limit: int) -> list[str]:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT batch_id FROM batches WHERE status = 'pending' AND updated_at < $1"
                " ORDER BY updated_at LIMIT $2",
                idle_since,
                limit,
            )
        return [row["batch_id"] for row in rows]

    async def was_processed(self, consumer: str, event_id: str) -> bool:
        async with self._pool.acquire() as conn:
            found = await conn.fetchval(
                "SELECT 1 FROM processed_events WHERE consumer = $1 AND event_id = $2",
                consumer,
                event_id,
            )
        return found is not None

    async def mark_processed(self, consumer: str, event_id: str) -> bool:
        async with self._pool.acquire() as conn:
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
