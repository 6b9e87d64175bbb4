"""A real `argus serve` process (API, roles, two parser worker processes) per session.

It uses the session's PostgreSQL (database `argus_e2e`) and Redis (db 1), so tests share no
state with the integration tier, and short take-over/retry timings so fault tests are quick.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from argus.cli.client import ArgusClient
from argus.infrastructure.embedded.process import free_port
from argus.loggen import generate_batch, parse_fault
from tests.conftest import Servers
from tests.e2e.cluster import Cluster
from tests.identity import FleetAuth, Identities, open_identities

MAX_UPLOAD_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class RunningServer:
    base_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    redis_url: str
    pg_url: str

    def parser_pids(self) -> list[int]:
        return [int(p.read_text()) for p in sorted((self.data_dir / "run").glob("parser-*.pid"))]

    @property
    def blob_root(self) -> Path:
        return self.data_dir / "blobs"


@pytest.fixture(scope="session")
def server(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serve(
        servers, tmp_path_factory.mktemp("argus-e2e"), database="argus_e2e", redis_db=1
    ) as s:
        yield s


@contextmanager
def serve(
    servers: Servers, data_dir: Path, *, database: str, redis_db: int, **extra_env: str
) -> Iterator[RunningServer]:
    """A real `argus serve` on a free port over the session's servers, until the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "ARGUS_DATA_DIR": str(data_dir),
        "ARGUS_HTTP_PORT": str(port),
        "ARGUS_HTTP_HOST": "127.0.0.1",
        "ARGUS_PG_URL": servers.pg_url(database),
        "ARGUS_REDIS_URL": servers.redis_url(db=redis_db),
        "ARGUS_PARSER_WORKERS": "2",
        "ARGUS_MAX_UPLOAD_BYTES": str(MAX_UPLOAD_BYTES),
        "ARGUS_BUS_CLAIM_IDLE_MS": "1500",
        "ARGUS_BUS_BLOCK_MS": "200",
        "ARGUS_BUS_RETRY_BACKOFF_S": "0.05",
        # Sweeps often; the upload TTL stays 24 h, tests age a batch in the database instead.
        "ARGUS_JANITOR_INTERVAL_S": "0.5",
        "ARGUS_LOG_LEVEL": "INFO",
        **extra_env,
    }
    log = open(data_dir / "serve.log", "wb")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [sys.executable, "-m", "argus", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base_url = f"http://127.0.0.1:{port}"
    running = RunningServer(
        base_url, data_dir, process, env["ARGUS_REDIS_URL"], env["ARGUS_PG_URL"]
    )
    try:
        _wait_healthy(base_url, process, data_dir / "serve.log")
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"argus serve exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"argus serve not healthy in time: {log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
async def identities(server: RunningServer) -> AsyncIterator[Identities]:
    """Fleet, vehicles and tokens in the end-to-end server's database."""
    found, pool = await open_identities(server.pg_url)
    yield found
    await pool.close()


@pytest.fixture(scope="session")
async def dist_identities(cluster: Cluster) -> AsyncIterator[Identities]:
    """Fleet, vehicles and tokens in the distributed cluster's database."""
    found, pool = await open_identities(cluster.env["ARGUS_PG_URL"])
    cluster.read_headers["Authorization"] = f"Bearer {await found.engineer()}"
    yield found
    await pool.close()


@pytest.fixture
async def http(server: RunningServer, identities: Identities) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=server.base_url, timeout=httpx.Timeout(30, read=120), auth=FleetAuth(identities)
    ) as client:
        yield client


@pytest.fixture
def client(http: httpx.AsyncClient) -> ArgusClient:
    return ArgusClient(http)


@pytest.fixture
async def dist_client(cluster: Cluster, dist_identities: Identities) -> AsyncIterator[ArgusClient]:
    """A client of the distributed cluster: writes to the ingestor, reads from the query service."""
    timeout = httpx.Timeout(30, read=180)
    auth = FleetAuth(dist_identities)
    async with (
        httpx.AsyncClient(base_url=cluster.ingest_url, timeout=timeout, auth=auth) as ingest,
        httpx.AsyncClient(base_url=cluster.query_url, timeout=timeout, auth=auth) as reads,
    ):
        yield ArgusClient(ingest, reads=reads)


@pytest.fixture(scope="session")
def drive(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three small consecutive drive logs with a lidar dropout (shared, read-only)."""
    out = tmp_path_factory.mktemp("drive")
    return generate_batch(
        out, files=3, seed=7, target_bytes_per_file=1_500_000, faults=[parse_fault("lidar-dropout")]
    )


@pytest.fixture(scope="session")
def big_drive(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Six larger files: parsing takes long enough to kill a worker in the middle of one."""
    out = tmp_path_factory.mktemp("big-drive")
    return generate_batch(
        out, files=6, seed=11, target_bytes_per_file=12_000_000, faults=[parse_fault("error-burst")]
    )
