"""A real `argus serve` with small limits, on a socket, for the limit and hostile-input probes.

It has its own database (`argus_sec`) and its own Redis (so the bus tests' flushes of the
shared Redis' databases cannot touch it, and one probe can stop it). Every caller goes
through `caller_headers`: when bearer tokens are required, giving each test a real token is
a change there alone.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from argus.infrastructure.embedded.postgres_server import _bin
from argus.infrastructure.embedded.process import free_port
from argus.infrastructure.embedded.redis_server import EmbeddedRedis
from tests.conftest import Servers
from tests.e2e.conftest import RunningServer, serve

# Small on purpose: each probe reaches its limit in a few requests.
LIMITS = {
    "ARGUS_LIMITS_HEADER_BYTES": "8192",
    "ARGUS_LIMITS_JSON_BODY_BYTES": "4096",
    "ARGUS_LIMITS_REQUEST_IDLE_S": "1",
    "ARGUS_LIMITS_FILES_PER_BATCH": "3",
    "ARGUS_LIMITS_BATCH_BYTES": "10000",
    "ARGUS_LIMITS_OPEN_BATCHES_PER_VEHICLE": "2",
    # Slow refill: a caller's 100 requests are all it has while a test runs.
    "ARGUS_LIMITS_REQUESTS_PER_S": "0.01",
    "ARGUS_LIMITS_REQUEST_BURST": "100",
    "ARGUS_LIMITS_SSE_STREAMS_PER_TOKEN": "2",
}


@dataclass(frozen=True)
class LimitedServer:
    server: RunningServer
    redis: EmbeddedRedis

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def blob_root(self) -> Path:
        return self.server.blob_root

    def incoming(self) -> list[Path]:
        """Uploads in progress or left behind (`.part` files)."""
        return list((self.blob_root / ".incoming").iterdir())

    def blobs_of(self, batch_id: str) -> list[Path]:
        folder = self.blob_root / "batches" / batch_id / "files"
        return sorted(folder.iterdir()) if folder.exists() else []


def caller_headers(token: str | None = None) -> dict[str, str]:
    """The headers of one caller (its own rate-limit bucket and stream slots)."""
    return {"Authorization": f"Bearer {token or 'probe-' + uuid.uuid4().hex}"}


@pytest.fixture(scope="session")
def limited_server(
    servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LimitedServer]:
    psql = [
        str(_bin("psql")),
        "-h",
        "127.0.0.1",
        "-p",
        str(servers.postgres.port),
        "-U",
        "postgres",
    ]
    subprocess.run([*psql, "-c", "CREATE DATABASE argus_sec"], check=True, capture_output=True)
    base = Path(tempfile.mkdtemp(prefix="argus-sec-redis-"))
    redis = EmbeddedRedis(base, free_port(), appendonly=False)
    redis.start()
    try:
        data_dir = tmp_path_factory.mktemp("argus-sec")
        with serve(
            servers, data_dir, database="argus_sec", redis_db=0, ARGUS_REDIS_URL=redis.url, **LIMITS
        ) as running:
            yield LimitedServer(running, redis)
    finally:
        redis.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
async def api(limited_server: LimitedServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the limited server, as a fresh caller."""
    async with httpx.AsyncClient(
        base_url=limited_server.base_url, headers=caller_headers(), timeout=httpx.Timeout(30)
    ) as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, str]:
    """The status and the JSON error body of a refusal; returns the error object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, str] = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


async def new_batch(api: httpx.AsyncClient, vehicle: str | None = None) -> str:
    """A fresh pending batch (of a fresh vehicle unless one is named)."""
    batch_id = f"sec-{uuid.uuid4().hex[:12]}"
    body = {"vehicle_id": vehicle or f"veh-{uuid.uuid4().hex[:8]}", "batch_id": batch_id}
    response = await api.post("/api/v1/batches", json=body)
    assert response.status_code == 201, response.text
    return batch_id
