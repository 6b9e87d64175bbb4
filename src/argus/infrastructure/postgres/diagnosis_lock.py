"""PostgreSQL adapter of the `DiagnosisLock` port: a session advisory lock per batch.

The lock lives as long as the connection that took it: an agent that dies mid-diagnosis
releases it with its connection, and the next delivery diagnoses the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from argus.infrastructure.postgres._errors import translated

__all__ = ["PostgresDiagnosisLock", "lock_key"]


def lock_key(batch_id: str) -> int:
    """The batch's advisory lock key: 64 bits of a hash, signed as PostgreSQL's bigint."""
    digest = hashlib.sha256(f"argus:diagnosis:{batch_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresDiagnosisLock:
    """`pg_advisory_lock` on a connection of its own, held while the block runs."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @asynccontextmanager
    async def hold(self, batch_id: str) -> AsyncIterator[None]:
        """Wait for the batch's lock, run the block, release it."""
        key = lock_key(batch_id)
        async with translated():
            conn = await self._pool.acquire()
        try:
            async with translated():
                await conn.execute("SELECT pg_advisory_lock($1)", key)
            try:
                yield
            finally:
                async with translated():
                    await conn.execute("SELECT pg_advisory_unlock($1)", key)
        finally:
            await self._pool.release(conn)
