"""Mapping between database rows and domain objects (the domain knows nothing of SQL)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import asyncpg

from argus.application.ports import BatchOverview
from argus.domain.batch import Batch, BatchStatus
from argus.domain.events import Event, event_to_wire
from argus.domain.log_file import FileStatus, LogFile

BATCH_COLUMNS = (
    "batch_id, vehicle_id, fleet_id, status, failure_reason, created_at, updated_at, version"
)
FILE_COLUMNS = "file_id, name, size, sha256, blob_key, status, failure_reason, summary_key"
COUNTS_SUBQUERY = (
    "(SELECT coalesce(jsonb_object_agg(status, n), '{}'::jsonb) FROM"
    " (SELECT status, count(*) AS n FROM files f WHERE f.batch_id = b.batch_id GROUP BY status) c)"
    " AS file_counts"
)


async def init_connection(conn: asyncpg.Connection) -> None:
    """jsonb in and out as Python objects."""
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


def batch_from_row(row: asyncpg.Record, files: Sequence[asyncpg.Record]) -> Batch:
    return Batch(
        batch_id=row["batch_id"],
        vehicle_id=row["vehicle_id"],
        fleet_id=row["fleet_id"],
        status=BatchStatus(row["status"]),
        failure_reason=row["failure_reason"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
        files=[file_from_row(f) for f in files],
    )


def file_from_row(row: asyncpg.Record) -> LogFile:
    return LogFile(
        file_id=row["file_id"],
        name=row["name"],
        size=row["size"],
        sha256=row["sha256"],
        blob_key=row["blob_key"],
        status=FileStatus(row["status"]),
        failure_reason=row["failure_reason"],
        summary_key=row["summary_key"],
    )


def overview_from_row(row: asyncpg.Record) -> BatchOverview:
    counts = {status: 0 for status in FileStatus}
    for status, n in (row["file_counts"] or {}).items():
        counts[FileStatus(status)] = int(n)
    return BatchOverview(
        batch_id=row["batch_id"],
        vehicle_id=row["vehicle_id"],
        status=BatchStatus(row["status"]),
        failure_reason=row["failure_reason"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        file_counts=counts,
    )


def outbox_rows(events: Sequence[Event]) -> list[tuple[Any, ...]]:
    return [
        (e.event_id, type(e).__name__, e.family, e.partition_key, event_to_wire(e)) for e in events
    ]


INSERT_OUTBOX = (
    "INSERT INTO outbox (event_id, event_type, family, partition_key, payload)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING"
)


async def append_outbox(conn: asyncpg.Connection, events: Sequence[Event]) -> None:
    """Store events in the caller's transaction; the relay publishes them after commit."""
    if events:
        await conn.executemany(INSERT_OUTBOX, outbox_rows(events))
