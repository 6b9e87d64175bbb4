"""The transactional outbox, read by the relay.

One relay publishes at a time (a session advisory lock held by its dedicated connection),
so events leave in commit order; another relay takes over when that connection drops.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import asyncpg

from argus.domain.events import Event, event_from_wire
from argus.infrastructure.postgres._errors import translated
from argus.infrastructure.postgres.rows import init_connection

_RELAY_LOCK = 0x4F555442  # "OUTB"


class PostgresOutbox:
    """Claims unpublished events while holding the relay lock; LISTENs for new ones."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: asyncpg.Connection | None = None
        self._is_leader = False
        self._wakeup = asyncio.Event()

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None or self._conn.is_closed():
            self._is_leader = False
            self._conn = await asyncpg.connect(self._dsn, timeout=10)
            await init_connection(self._conn)
            await self._conn.add_listener("argus_outbox", self._notified)
        return self._conn

    def _notified(self, *_args: object) -> None:
        self._wakeup.set()

    async def claim(self, limit: int) -> list[tuple[int, Event]]:
        async with translated():
            conn = await self._connection()
            if not self._is_leader:
                self._is_leader = bool(
                    await conn.fetchval("SELECT pg_try_advisory_lock($1)", _RELAY_LOCK)
                )
                if not self._is_leader:
                    return []
            rows = await conn.fetch(
                "SELECT id, payload FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1",
                limit,
            )
        return [(row["id"], event_from_wire(row["payload"])) for row in rows]

    async def mark_published(self, ids: Sequence[int]) -> None:
        async with translated():
            conn = await self._connection()
            await conn.execute(
                "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", list(ids)
            )

    async def wait_for_new(self, timeout_s: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout_s)
        self._wakeup.clear()

    async def close(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()
        self._conn = None
