"""Shared fixtures: one real PostgreSQL and one real Redis per test session.

Both are the embedded servers Argus itself runs (child processes, throw-away data dirs).
Integration tests use database `argus` and Redis db 0; the end-to-end server gets its own
database and Redis db so its consumers never see the integration tests' events.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from argus.bootstrap import Adapters, connect
from argus.config import BlobSettings, Settings
from argus.infrastructure.embedded.postgres_server import EmbeddedPostgres
from argus.infrastructure.embedded.process import free_port
from argus.infrastructure.embedded.redis_server import EmbeddedRedis
from argus.interfaces.http.settings import LimitsSettings

# Session services as plugins: their fixtures are shared by every tier.
pytest_plugins = [
    "tests.services_kafka",
    "tests.services_s3",
    "tests.services_infra",
    "tests.e2e.cluster",
    "tests.security.serving",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@dataclass(frozen=True)
class Servers:
    postgres: EmbeddedPostgres
    redis: EmbeddedRedis

    def pg_url(self, database: str = "argus") -> str:
        return self.postgres.dsn.rsplit("/", 1)[0] + f"/{database}"

    def redis_url(self, db: int = 0) -> str:
        return self.redis.url.rsplit("/", 1)[0] + f"/{db}"


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    # Not under pytest's basetemp: pytest keeps that private (0700), and under root the
    # PostgreSQL server runs as an unprivileged user that must reach its data directory.
    base = Path(tempfile.mkdtemp(prefix="argus-test-servers-"))
    postgres = EmbeddedPostgres(base / "pg" / "data", free_port(), durable=False)
    redis = EmbeddedRedis(base / "redis", free_port(), appendonly=False)
    postgres.start()
    try:
        redis.start()
        for database in ("argus_e2e", "argus_dist"):
            postgres.create_database(database)  # owned by the app role, with pgvector
        yield Servers(postgres, redis)
    finally:
        redis.stop()
        postgres.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
async def adapters(
    servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Adapters]:
    settings = Settings(
        blob=BlobSettings(root=tmp_path_factory.mktemp("blobs")),
        # Tests share this database and a few vehicle ids, and leave batches pending: the
        # per-vehicle quota would be cross-test state. tests/security probes it on its own server.
        limits=LimitsSettings(open_batches_per_vehicle=1_000_000),
    )
    connected = await connect(
        settings, pg_url=servers.pg_url(), redis_url=servers.redis_url(), run_migrations=True
    )
    yield connected
    await connected.close()


@pytest.fixture
def batch_id() -> str:
    """A fresh batch id per test: tests share servers, never rows."""
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA
