"""A data directory from before the lock-down (initdb --auth=trust, everything owned by the
superuser) upgrades in place on its first start: passwords set, the app role created and
handed the old objects, trust gone from pg_hba.conf, the old rows kept."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from argus.infrastructure.embedded.account import allow_traversal, server_account
from argus.infrastructure.embedded.postgres_server import EmbeddedPostgres, _bin
from argus.infrastructure.embedded.postgres_setup import needs_upgrade
from argus.infrastructure.embedded.process import free_port, stop, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def legacy_data_dir() -> Iterator[Path]:
    """A cluster made the way Argus made them before: trust, superuser-owned objects."""
    base = Path(tempfile.mkdtemp(prefix="argus-test-legacy-"))
    data = base / "postgres" / "data"
    data.mkdir(parents=True)
    account = server_account()
    as_server = account.popen() if account is not None else {}
    if account is not None:
        allow_traversal(_bin("postgres").parent)
        allow_traversal(base)
        account.own(data)
    initdb = [str(_bin("initdb")), "-D", str(data), "-U", "postgres", "--auth=trust"]
    subprocess.run(initdb, check=True, capture_output=True, **as_server)
    port = free_port()
    server = subprocess.Popen(
        [
            str(_bin("postgres")),
            "-D",
            str(data),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"port={port}",
            "-c",
            f"unix_socket_directories={data}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **as_server,
    )
    psql = [
        str(_bin("psql")),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-U",
        "postgres",
        "-v",
        "ON_ERROR_STOP=1",
    ]
    try:
        ready = [str(_bin("pg_isready")), "-h", "127.0.0.1", "-p", str(port)]
        wait_until(
            lambda: subprocess.run(ready, capture_output=True, check=False).returncode == 0,
            what="legacy PostgreSQL",
            timeout_s=60,
            process=server,
            log=data / "no.log",
        )
        subprocess.run([*psql, "-c", "CREATE DATABASE argus"], check=True, capture_output=True)
        old_objects = (
            "CREATE TABLE legacy (x int);"
            "INSERT INTO legacy VALUES (1);"
            "CREATE FUNCTION legacy_one() RETURNS int LANGUAGE sql AS 'SELECT 1';"
        )
        subprocess.run([*psql, "-d", "argus", "-c", old_objects], check=True, capture_output=True)
    finally:
        stop(server, signal_first=signal.SIGINT)
    yield data
    shutil.rmtree(base, ignore_errors=True)


def test_a_trust_data_dir_upgrades_in_place_and_keeps_its_rows(legacy_data_dir: Path) -> None:
    assert needs_upgrade(legacy_data_dir)
    postgres = EmbeddedPostgres(legacy_data_dir, durable=False)
    postgres.start()
    try:
        assert not needs_upgrade(legacy_data_dir)
        assert asyncio.run(_as_app_role(postgres.dsn)) == 2
        no_password = subprocess.run(
            [
                str(_bin("psql")),
                "-w",
                "-h",
                "127.0.0.1",
                "-p",
                str(postgres.listening_port),
                "-U",
                "postgres",
                "-d",
                "argus",
                "-c",
                "SELECT 1",
            ],
            capture_output=True,
            text=True,
            env={"LC_ALL": "C"},
            check=False,
        )
        assert no_password.returncode != 0 and "password" in no_password.stderr
    finally:
        postgres.stop()
    # The next start is an ordinary one: same passwords, same port, same rows.
    port = postgres.listening_port
    postgres.start()
    try:
        assert postgres.listening_port == port
        assert asyncio.run(_as_app_role(postgres.dsn)) == 3
    finally:
        postgres.stop()


async def _as_app_role(dsn: str) -> int:
    """Checks what the app role is and owns, adds a row; the rows there are then."""
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT current_user") == "argus"
        assert await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = 'argus'") is False
        assert (
            await conn.fetchval("SELECT tableowner FROM pg_tables WHERE tablename = 'legacy'")
            == "argus"
        )
        owner = await conn.fetchval(
            "SELECT proowner::regrole::text FROM pg_proc WHERE proname = 'legacy_one'"
        )
        assert owner == "argus"
        await conn.execute("INSERT INTO legacy VALUES (2)")  # it owns the table now
        count: int = await conn.fetchval("SELECT count(*) FROM legacy")
        return count
    finally:
        await conn.close()
