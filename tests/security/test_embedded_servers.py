"""Probes of the embedded mode's servers (issue 10, "Servers locked down"), against a real
`argus serve` with its own PostgreSQL and Redis: another local user gets nothing without the
passwords, the app role cannot run programs, Redis refuses the commands that write files or
load code, nothing runs as root, data dirs run side by side, a taken port fails the start in
one line, and SIGTERM or SIGINT leaves no child behind."""

from __future__ import annotations

import asyncio
import os
import pwd
import signal
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis

from argus.bootstrap import server_urls
from argus.config import AppSettings, Settings
from argus.infrastructure.embedded.account import SERVER_ACCOUNT
from argus.infrastructure.embedded.postgres_server import _bin
from tests.security.embedded_serve import (
    Serve,
    alive,
    as_probe,
    ids,
    new_data_dir,
    probe_account,
    serving,
    start_serve,
    wait_gone,
    wait_healthy,
)

pytestmark = pytest.mark.integration

ROOT_ONLY = pytest.mark.skipif(
    os.geteuid() != 0,
    reason="SKIPPED PROBE: probing as another local user needs root to create that user "
    "(CI runs as root); run the security suite as root to cover it",
)


@pytest.fixture(scope="module")
def first() -> Iterator[Serve]:
    with serving(new_data_dir()) as serve:
        yield serve


@pytest.fixture(scope="module")
def probe() -> pwd.struct_passwd:
    if os.geteuid() != 0:
        pytest.skip("SKIPPED PROBE: needs root to create another local user")
    return probe_account()


def _settings(serve: Serve) -> Settings:
    return Settings(app=AppSettings(data_dir=serve.data_dir))


@ROOT_ONLY
def test_postgres_refuses_another_local_user_without_the_password(
    first: Serve, probe: pwd.struct_passwd
) -> None:
    socket_dir = first.data_dir / "postgres" / "socket"
    for host in ("127.0.0.1", str(socket_dir)):
        for role in ("postgres", "argus"):
            result = as_probe(
                [
                    str(_bin("psql")),
                    "-w",
                    "-h",
                    host,
                    "-p",
                    str(first.pg_port),
                    "-U",
                    role,
                    "-d",
                    "argus",
                    "-c",
                    "SELECT 1",
                ],
                probe,
            )
            assert result.returncode != 0, (host, role, result.stdout)
            assert "password" in result.stderr or "Permission denied" in result.stderr


@ROOT_ONLY
def test_the_socket_directory_and_password_files_are_closed_to_other_users(
    first: Serve, probe: pwd.struct_passwd
) -> None:
    socket_dir = first.data_dir / "postgres" / "socket"
    assert stat.S_IMODE(socket_dir.stat().st_mode) == 0o700
    listing = as_probe(["ls", str(socket_dir)], probe)
    assert listing.returncode != 0 and "Permission denied" in listing.stderr
    secrets = [
        first.data_dir / "postgres" / "superuser.password",
        first.data_dir / "postgres" / "argus.password",
        first.data_dir / "redis" / "redis.password",
        first.data_dir / "redis" / "redis.conf",
        first.data_dir / "postgres" / "postgres.log",
    ]
    for path in secrets:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        read = as_probe(["cat", str(path)], probe)
        assert read.returncode != 0 and "Permission denied" in read.stderr, path


def test_the_app_role_is_no_superuser_and_cannot_run_programs(first: Serve) -> None:
    pg_url, _ = server_urls(_settings(first))  # how the CLI finds a running `argus serve`

    async def probe() -> None:
        conn = await asyncpg.connect(pg_url)
        try:
            assert (
                await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                is False
            )
            owner = await conn.fetchval(
                "SELECT tableowner FROM pg_tables WHERE tablename = 'batches'"
            )
            assert owner == "argus"  # migrations ran as the app role
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute("COPY (SELECT 1) TO PROGRAM 'id'")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute("CREATE ROLE intruder SUPERUSER")
        finally:
            await conn.close()

    asyncio.run(probe())


def test_redis_without_the_password_answers_noauth(first: Serve) -> None:
    with socket.create_connection(("127.0.0.1", first.redis_port), timeout=5) as conn:
        conn.sendall(b"PING\r\nSET argus-probe written\r\n")
        answer = b""
        while answer.count(b"\r\n") < 2:
            answer += conn.recv(4096)
    assert answer.startswith(b"-NOAUTH")
    assert answer.split(b"\r\n")[1].startswith(b"-NOAUTH")
    client = redis.Redis.from_url(server_urls(_settings(first))[1])
    try:
        assert client.exists("argus-probe") == 0
    finally:
        client.close()


def test_redis_refuses_config_set_dir_and_the_other_disabled_commands(first: Serve) -> None:
    _, redis_url = server_urls(_settings(first))
    client = redis.Redis.from_url(redis_url)
    try:
        for command in (
            ("CONFIG", "SET", "dir", "/tmp"),
            ("MODULE", "LIST"),
            ("DEBUG", "SLEEP", "0"),
            ("FLUSHALL",),
            ("REPLICAOF", "127.0.0.1", "1"),
            ("ACL", "LIST"),
            ("SHUTDOWN", "NOSAVE"),
        ):
            with pytest.raises(redis.ResponseError, match="unknown command"):
                client.execute_command(*command)
        assert client.ping() is True  # still up, still ours
        assert client.info("server")["process_id"] == first.redis_pid
    finally:
        client.close()


def test_the_servers_run_without_root_user_or_group(first: Serve) -> None:
    for pid in (first.postgres_pid, first.redis_pid):
        uids, gids, groups = ids(pid)
        assert 0 not in uids and 0 not in gids and 0 not in groups, (pid, uids, gids, groups)
        if os.geteuid() == 0:
            assert set(uids) == {pwd.getpwnam(SERVER_ACCOUNT).pw_uid}
        else:
            assert set(uids) == {os.geteuid()}


def test_the_http_api_listens_on_loopback_only_by_default(first: Serve) -> None:
    listening = [
        line.split()[1]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if line.split()[3] == "0A"  # LISTEN
    ]
    assert f"0100007F:{first.http_port:04X}" in listening
    assert f"00000000:{first.http_port:04X}" not in listening


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_second_data_dir_runs_side_by_side_and_a_signal_stops_every_child(
    first: Serve, signum: signal.Signals
) -> None:
    data_dir = new_data_dir()
    process, port, log = start_serve(data_dir)
    try:
        wait_healthy(port, process, log)
        second = Serve(data_dir, process, port, log)
        assert {second.pg_port, second.redis_port}.isdisjoint({first.pg_port, first.redis_port})
        children = second.child_pids()
        assert len(children) == 3  # PostgreSQL, Redis, one parser worker
        assert httpx.get(f"http://127.0.0.1:{first.http_port}/healthz").status_code == 200
        process.send_signal(signum)
        assert process.wait(60) == 0
        assert wait_gone(children) == []
    finally:
        if process.poll() is None:
            process.kill()
    assert ids(first.redis_pid)  # the first one's servers are untouched
    assert httpx.get(f"http://127.0.0.1:{first.http_port}/healthz").status_code == 200


def test_a_serve_whose_port_is_taken_fails_at_start_in_one_line(first: Serve) -> None:
    data_dir = new_data_dir()
    taken = first.redis_port
    process, _, log = start_serve(data_dir, ARGUS_EMBEDDED_REDIS_PORT=str(taken))
    assert process.wait(120) == 1
    output = log.read_text()
    errors = [line for line in output.splitlines() if line.startswith("argus: ")]
    assert errors == [
        f"argus: Redis cannot listen on 127.0.0.1:{taken}: the port is in use (another "
        "server?); set ARGUS_EMBEDDED_REDIS_PORT to a free port or leave it unset"
    ]
    assert "Traceback" not in output
    # Its own PostgreSQL, started before Redis, was stopped; the first serve is untouched.
    pid_file = data_dir / "postgres" / "data" / "postmaster.pid"
    assert not pid_file.exists()
    assert alive(first.redis_pid)
    client = redis.Redis.from_url(server_urls(_settings(first))[1])
    try:
        assert client.info("server")["process_id"] == first.redis_pid
    finally:
        client.close()


def test_a_serve_whose_http_port_is_taken_fails_before_starting_anything(first: Serve) -> None:
    data_dir = new_data_dir()
    process, _, log = start_serve(data_dir, ARGUS_HTTP_PORT=str(first.http_port))
    assert process.wait(60) == 1
    errors = [line for line in log.read_text().splitlines() if line.startswith("argus: ")]
    assert errors == [
        f"argus: the HTTP API cannot listen on 127.0.0.1:{first.http_port}: the port is in use "
        "(another server?); set ARGUS_HTTP_PORT to a free port"
    ]
    assert not (data_dir / "postgres").exists() and not (data_dir / "redis").exists()
