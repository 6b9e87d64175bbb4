"""The embedded PostgreSQL admits every pool `argus serve` may open: one per HTTP process."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

import asyncpg
import pytest

from argus.bootstrap.servers import embedded_max_connections, embedded_stack
from argus.config import AppSettings, EmbeddedSettings, PostgresSettings, Settings

pytestmark = pytest.mark.integration


def _settings(data_dir: Path, *, http_workers: int, pool_max: int) -> Settings:
    return Settings(
        app=AppSettings(data_dir=data_dir, http_workers=http_workers),
        postgres=PostgresSettings(pool_max=pool_max),
        embedded=EmbeddedSettings(durable=False),
    )


def test_the_server_is_sized_for_every_http_process_pool_at_its_fullest() -> None:
    many = _settings(Path("unused"), http_workers=16, pool_max=20)
    assert embedded_max_connections(many) == 16 * 20 + 40
    # A small machine keeps the floor, well above its pools.
    few = _settings(Path("unused"), http_workers=2, pool_max=20)
    assert embedded_max_connections(few) == 200


async def test_the_started_server_takes_the_size_from_the_settings() -> None:
    # Not under pytest's basetemp (0700): under root the server runs as another user.
    base = Path(tempfile.mkdtemp(prefix="argus-test-conns-"))
    postgres = embedded_stack(_settings(base, http_workers=12, pool_max=25)).postgres
    await asyncio.to_thread(postgres.start)
    try:
        conn = await asyncpg.connect(postgres.dsn)
        try:
            assert await conn.fetchval("SHOW max_connections") == str(12 * 25 + 40)
        finally:
            await conn.close()
    finally:
        await asyncio.to_thread(postgres.stop)
        shutil.rmtree(base, ignore_errors=True)
