"""A real `argus serve` with small limits, on a socket, for the limit and hostile-input probes.

It has its own database (`argus_sec`) and its own Redis (so the bus tests' flushes of the
shared Redis' databases cannot touch it, and one probe can stop it). Callers are real: each
`vehicle_client` is a fresh vehicle of the fleet `sec-limits` with its own token (so its own
rate-limit bucket and stream slots), `engineer_client` a fresh engineer of that fleet; both are
provisioned through the identity admin in the server's database.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from argus.infrastructure.embedded.process import free_port
from argus.infrastructure.embedded.redis_server import EmbeddedRedis
from tests.conftest import Servers
from tests.e2e.conftest import RunningServer, serve
from tests.identity import Identities, open_identities

FLEET = "sec-limits"

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
    # Stream slots and rate-limit reserves are per process (0026, 0030): with one HTTP process
    # the counts below are the server's (with N workers a caller holds up to N × the slots, 0031).
    "ARGUS_HTTP_WORKERS": "1",
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


class Probe(httpx.AsyncClient):
    """A client of the limited server as one caller: its token, and its vehicle if it has one."""

    def __init__(self, base_url: str, token: str, vehicle_id: str | None = None) -> None:
        super().__init__(
            base_url=base_url, headers=caller_headers(token), timeout=httpx.Timeout(30)
        )
        self.token = token
        self.vehicle_id = vehicle_id


def caller_headers(token: str) -> dict[str, str]:
    """The Authorization header of one caller."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def limited_server(
    servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LimitedServer]:
    servers.postgres.create_database("argus_sec")  # owned by the app role, with pgvector
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


@pytest.fixture(scope="session")
async def sec_identities(limited_server: LimitedServer) -> AsyncIterator[Identities]:
    """Fleet, vehicles and tokens in the limited server's database."""
    found, pool = await open_identities(limited_server.server.pg_url)
    found.fleet = FLEET
    yield found
    await pool.close()


@asynccontextmanager
async def vehicle_client(server: LimitedServer, identities: Identities) -> AsyncIterator[Probe]:
    """A fresh vehicle of the fleet, with its own token."""
    vehicle = f"veh-{uuid.uuid4().hex[:8]}"
    async with Probe(server.base_url, await identities.vehicle(vehicle), vehicle) as client:
        yield client


@asynccontextmanager
async def engineer_client(server: LimitedServer, identities: Identities) -> AsyncIterator[Probe]:
    """A fresh engineer of the fleet (it reads every vehicle's batches), with its own token."""
    token = await identities.engineer(name=f"eng-{uuid.uuid4().hex[:8]}")
    async with Probe(server.base_url, token) as client:
        yield client


@pytest.fixture
async def probe(limited_server: LimitedServer, sec_identities: Identities) -> AsyncIterator[Probe]:
    """A client of the limited server, as a fresh vehicle."""
    async with vehicle_client(limited_server, sec_identities) as client:
        yield client


@pytest.fixture
async def probe_engineer(
    limited_server: LimitedServer, sec_identities: Identities
) -> AsyncIterator[Probe]:
    """A client of the limited server, as a fresh engineer of the vehicles' fleet."""
    async with engineer_client(limited_server, sec_identities) as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, str]:
    """The status and the JSON error body of a refusal; returns the error object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, str] = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


async def new_batch(probe: Probe) -> str:
    """A fresh pending batch of the client's vehicle."""
    batch_id = f"sec-{uuid.uuid4().hex[:12]}"
    body = {"vehicle_id": probe.vehicle_id, "batch_id": batch_id}
    response = await probe.post("/api/v1/batches", json=body)
    assert response.status_code == 201, response.text
    return batch_id
