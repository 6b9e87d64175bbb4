"""A PostgreSQL outage on the read path: 503 with Retry-After and the JSON error, then
recovery — against a dedicated embedded server, so stopping it touches no other test."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from argus.bootstrap import Adapters, connect
from argus.config import AppSettings, BlobSettings, Settings
from argus.constants import report_cache_key
from argus.entrypoints.http import http_services
from argus.infrastructure.embedded.postgres_server import EmbeddedPostgres
from argus.infrastructure.embedded.process import free_port
from argus.interfaces.http.app import create_app
from argus.interfaces.http.errors import RETRY_AFTER_S
from tests.conftest import Servers
from tests.identity import FleetAuth, Identities
from tests.integration.test_report_read_path import finished_batch

pytestmark = pytest.mark.integration


@pytest.fixture
async def own_postgres() -> AsyncIterator[EmbeddedPostgres]:
    # Not under pytest's basetemp (0700): under root the server runs as another user.
    base = Path(tempfile.mkdtemp(prefix="argus-test-outage-"))
    postgres = EmbeddedPostgres(base / "pg" / "data", free_port(), durable=False)
    await asyncio.to_thread(postgres.start)
    try:
        yield postgres
    finally:
        await asyncio.to_thread(postgres.stop)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
async def own_adapters(
    own_postgres: EmbeddedPostgres, servers: Servers, tmp_path: Path
) -> AsyncIterator[Adapters]:
    # No in-process report memory: the test drops the Redis copy to make the read need the DB.
    no_memory = AppSettings(report_memory_bytes=0)
    settings = Settings(app=no_memory, blob=BlobSettings(root=tmp_path / "blobs"))
    adapters = await connect(
        settings, pg_url=own_postgres.dsn, redis_url=servers.redis_url(), run_migrations=True
    )
    yield adapters
    await adapters.close()


async def test_a_report_read_while_postgres_is_down_is_503_and_recovers_after_a_restart(
    own_postgres: EmbeddedPostgres, own_adapters: Adapters, batch_id: str
) -> None:
    await finished_batch(own_adapters, batch_id)
    app = create_app(http_services(own_adapters))
    auth = FleetAuth(Identities(own_adapters.pool))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://argus", auth=auth
    ) as http:
        before = await http.get(f"/api/report/{batch_id}")
        assert before.status_code == 200
        await own_adapters.redis.delete(report_cache_key(batch_id))  # uncached: needs the DB

        await asyncio.to_thread(own_postgres.stop)
        down = await asyncio.gather(*(http.get(f"/api/report/{batch_id}") for _ in range(5)))
        for response in down:
            assert response.status_code == 503
            assert response.headers["Retry-After"] == str(RETRY_AFTER_S)
            assert response.headers["content-type"] == "application/json"
            error = response.json()["error"]
            assert error["code"] == "unavailable"
            assert error["message"].startswith("PostgreSQL is unavailable")
        assert await own_adapters.redis.get(report_cache_key(batch_id)) is None

        await asyncio.to_thread(own_postgres.start)
        after = await http.get(f"/api/report/{batch_id}")
        assert after.status_code == 200
        assert after.content == before.content
