"""Servers left behind by an `argus serve` that was killed (SIGKILL: no `finally`) are stopped
by the next start of the same data directory, never adopted: the new server is our child."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from argus.infrastructure.embedded.postgres_server import EmbeddedPostgres
from argus.infrastructure.embedded.process import alive
from argus.infrastructure.embedded.redis_server import EmbeddedRedis

pytestmark = pytest.mark.integration


@pytest.fixture
def base() -> Iterator[Path]:
    # Not under pytest's basetemp (0700): under root the servers run as another account.
    folder = Path(tempfile.mkdtemp(prefix="argus-test-orphans-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_an_orphaned_redis_is_stopped_and_the_new_one_is_ours(base: Path) -> None:
    orphan = EmbeddedRedis(base / "redis", appendonly=False)
    orphan.start()
    assert orphan.process is not None
    orphan_pid, port = orphan.process.pid, orphan.listening_port
    successor = EmbeddedRedis(base / "redis", appendonly=False)
    try:
        successor.start()  # the orphan's app "died": nobody stopped it
        assert successor.process is not None
        assert not alive(orphan_pid)
        assert successor.listening_port == port  # its port was freed, and is reused
        client = redis.Redis.from_url(successor.url)
        try:
            assert client.info("server")["process_id"] == successor.process.pid
        finally:
            client.close()
    finally:
        successor.stop()
        orphan.stop()


def test_an_orphaned_postgres_is_stopped_and_the_new_one_is_ours(base: Path) -> None:
    orphan = EmbeddedPostgres(base / "postgres" / "data", durable=False)
    orphan.start()
    assert orphan.process is not None
    orphan_pid = orphan.process.pid
    successor = EmbeddedPostgres(base / "postgres" / "data", durable=False)
    try:
        successor.start()
        assert successor.process is not None
        assert not alive(orphan_pid)
        pid_line = (successor.data_dir / "postmaster.pid").read_text().splitlines()[0]
        assert int(pid_line) == successor.process.pid
    finally:
        successor.stop()
        orphan.stop()
