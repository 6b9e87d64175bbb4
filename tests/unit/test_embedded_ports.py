"""Ports and passwords of the embedded servers: chosen once, recorded in the data directory,
reused; a port that is taken fails the start with one line instead of sharing a server."""

from __future__ import annotations

import socket
import stat
import subprocess
from pathlib import Path

import pytest

from argus.cli.config_cmd import MASK, effective
from argus.config import PostgresSettings, RedisSettings, Settings
from argus.domain.errors import Unavailable
from argus.infrastructure.embedded.process import (
    StartError,
    claim_port,
    known_port,
    port_in_use,
    secret,
    wait_until,
)

pytestmark = pytest.mark.unit


def _listen() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_an_unset_port_is_chosen_once_recorded_and_reused(tmp_path: Path) -> None:
    record = tmp_path / "redis" / "port"
    port = claim_port(record, None, what="Redis", variable="ARGUS_EMBEDDED_REDIS_PORT")
    assert record.read_text() == f"{port}\n"
    again = claim_port(record, None, what="Redis", variable="ARGUS_EMBEDDED_REDIS_PORT")
    assert again == port
    assert known_port(None, record, None, what="Redis") == port


def test_a_recorded_port_someone_else_took_is_replaced_and_recorded(tmp_path: Path) -> None:
    record = tmp_path / "port"
    with _listen() as other:
        taken = other.getsockname()[1]
        record.write_text(f"{taken}\n")
        port = claim_port(record, None, what="Redis", variable="ARGUS_EMBEDDED_REDIS_PORT")
    assert port != taken
    assert record.read_text() == f"{port}\n"


def test_a_configured_port_that_is_taken_fails_in_one_line(tmp_path: Path) -> None:
    with _listen() as other:
        taken = other.getsockname()[1]
        with pytest.raises(StartError) as raised:
            claim_port(
                tmp_path / "port", taken, what="PostgreSQL", variable="ARGUS_EMBEDDED_PG_PORT"
            )
    message = str(raised.value)
    assert "\n" not in message
    assert f"127.0.0.1:{taken}" in message and "ARGUS_EMBEDDED_PG_PORT" in message
    assert not (tmp_path / "port").exists()


def test_no_port_known_before_a_first_start_is_said(tmp_path: Path) -> None:
    with pytest.raises(StartError, match="no Redis has been started"):
        known_port(None, tmp_path / "port", None, what="Redis")


def test_a_password_is_generated_once_into_a_0600_file(tmp_path: Path) -> None:
    path = tmp_path / "redis.password"
    first = secret(path)
    assert len(first) == 48 and secret(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_argus_config_masks_the_embedded_servers_passwords() -> None:
    pg = PostgresSettings(url="postgresql://argus:s3cr3t@127.0.0.1:21000/argus")
    redis = RedisSettings(url="redis://:s3cr3t@127.0.0.1:21001/0")
    tree = effective(Settings(postgres=pg, redis=redis))
    assert tree["postgres"]["ARGUS_PG_URL"] == f"postgresql://argus:{MASK}@127.0.0.1:21000/argus"
    assert tree["redis"]["ARGUS_REDIS_URL"] == f"redis://:{MASK}@127.0.0.1:21001/0"
    assert "s3cr3t" not in str(tree)


def test_a_server_that_exits_on_a_taken_port_fails_in_one_line(tmp_path: Path) -> None:
    # Taken between the check and the server's bind: the server logs it and exits.
    log = tmp_path / "redis.log"
    line = "Could not create server TCP listening socket 127.0.0.1:1: bind: Address already in use"
    process = subprocess.Popen(["sh", "-c", f"echo '{line}' >> {log}; exit 1"])
    process.wait()
    taken = port_in_use("Redis", 1, "ARGUS_EMBEDDED_REDIS_PORT")
    with pytest.raises(StartError) as raised:
        wait_until(lambda: False, what="Redis", timeout_s=5, process=process, log=log, taken=taken)
    assert str(raised.value) == taken


def test_a_server_that_exits_for_another_reason_shows_its_log(tmp_path: Path) -> None:
    log = tmp_path / "postgres.log"
    process = subprocess.Popen(["sh", "-c", f"echo 'FATAL: no space left' >> {log}; exit 1"])
    process.wait()
    with pytest.raises(Unavailable, match="FATAL: no space left"):
        wait_until(
            lambda: False, what="PostgreSQL", timeout_s=5, process=process, log=log, taken="unused"
        )
