"""A real `argus serve` with its own embedded PostgreSQL and Redis, for the probes of
test_embedded_servers.py, and the OS account the probes run as."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from argus.infrastructure.embedded.process import alive, free_port
from tests.e2e.conftest import _wait_healthy

PROBE_USER = "argus-probe"


@dataclass
class Serve:
    """One `argus serve` process and where its data directory says its children are."""

    data_dir: Path
    process: subprocess.Popen[bytes]
    http_port: int
    log: Path

    @property
    def pg_port(self) -> int:
        return int((self.data_dir / "postgres" / "port").read_text())

    @property
    def redis_port(self) -> int:
        return int((self.data_dir / "redis" / "port").read_text())

    @property
    def postgres_pid(self) -> int:
        return int((self.data_dir / "postgres" / "data" / "postmaster.pid").read_text().split()[0])

    @property
    def redis_pid(self) -> int:
        return int((self.data_dir / "redis" / "redis.pid").read_text().split()[0])

    def child_pids(self) -> list[int]:
        parsers = [int(p.read_text()) for p in (self.data_dir / "run").glob("parser-*.pid")]
        return [self.postgres_pid, self.redis_pid, *parsers]


def new_data_dir() -> Path:
    # Not under pytest's basetemp (0700): the servers run as another account when root.
    return Path(tempfile.mkdtemp(prefix="argus-sec-serve-"))


def start_serve(data_dir: Path, **env: str) -> tuple[subprocess.Popen[bytes], int, Path]:
    """`argus serve` on a free HTTP port with embedded servers (no ARGUS_*_URL)."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ARGUS_")}
    environ |= {
        "ARGUS_DATA_DIR": str(data_dir),
        "ARGUS_HTTP_PORT": str(port),
        "ARGUS_PARSER_WORKERS": "1",
        "ARGUS_EMBEDDED_DURABLE": "false",
        **env,
    }
    log = data_dir / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "argus", "serve"], env=environ, stdout=out, stderr=out
        )
    return process, port, log


@contextmanager
def serving(data_dir: Path, **env: str) -> Iterator[Serve]:
    """A healthy `argus serve` until the block ends; then SIGTERM."""
    process, port, log = start_serve(data_dir, **env)
    try:
        wait_healthy(port, process, log)
        yield Serve(data_dir, process, port, log)
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def wait_healthy(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    _wait_healthy(f"http://127.0.0.1:{port}", process, log)


def wait_gone(pids: list[int]) -> list[int]:
    """The pids still alive once each had up to 100 looks to go (reaping is asynchronous)."""
    for _ in range(100):
        left = [pid for pid in pids if alive(pid)]
        if not left:
            return []
        time.sleep(0.1)
    return left


def ids(pid: int) -> tuple[list[int], list[int], list[int]]:
    """(uids, gids, supplementary groups) of a process, from /proc."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return (
        [int(v) for v in fields["Uid"].split()],
        [int(v) for v in fields["Gid"].split()],
        [int(v) for v in fields["Groups"].split()],
    )


def probe_account() -> pwd.struct_passwd:
    """Another local OS user, not in group root (created when missing; needs root)."""
    try:
        return pwd.getpwnam(PROBE_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home", PROBE_USER],
            check=False,
            capture_output=True,
        )
        return pwd.getpwnam(PROBE_USER)


def as_probe(args: list[str], account: pwd.struct_passwd) -> subprocess.CompletedProcess[str]:
    """Run `args` as the probe user, with an empty environment (no PGPASSWORD)."""
    return subprocess.run(
        args,
        user=account.pw_uid,
        group=account.pw_gid,
        extra_groups=[],
        env={"LC_ALL": "C"},
        cwd="/",
        capture_output=True,
        text=True,
        check=False,
    )
