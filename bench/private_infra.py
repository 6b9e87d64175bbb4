"""The distributed mode's four servers for one benchmark run, started by the very scripts
`make infra-up` runs (deployments/local/{kafka,minio,postgres,redis}.sh), but on free loopback
ports, with passwords generated for this run and every byte of state in a private directory:
a bench never meets `make infra-up`'s servers nor another bench's or test's. Stopped and
removed on exit, whatever ends the run (see `PrivateInfra.__exit__` and `stop_on_signals`).

The jar and binary caches (var/cache) are shared: fetched or built once per checkout.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType

from argus.infrastructure.embedded.process import free_port

ROOT = Path(__file__).resolve().parents[1]
LOCAL = ROOT / "deployments" / "local"
CACHE = ROOT / "var" / "cache"
# In the app users' allowed prefixes (Kafka ACL `argus*`, MinIO policy `argus-bench*`).
APP_USER = "argus"
BUCKET_PATTERN = "argus-bench*"
# Started in this order, stopped in the reverse one.
SCRIPTS = ("kafka.sh", "minio.sh", "postgres.sh", "redis.sh")


def secret() -> str:
    """A generated password, as infra.sh makes them (URL-safe, ≥ 16 characters)."""
    return secrets.token_urlsafe(24)


def distinct_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


@dataclass
class PrivateInfra:
    """Kafka, MinIO, PostgreSQL + pgvector and Redis of one run. Use as a context manager."""

    var_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="argus-scale-")))
    started: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        kafka, controller, minio, console, pg, redis = distinct_ports(6)
        self.ports = {"kafka": kafka, "minio": minio, "postgres": pg, "redis": redis}
        self.passwords = {name: secret() for name in ("pg_app", "redis_app", "kafka_app", "s3")}
        self.env = {
            "ARGUS_VAR_DIR": str(self.var_dir),
            "KAFKA_LIBS_DIR": str(CACHE / "kafka-libs"),
            "ARGUS_BIN_DIR": str(CACHE / "bin"),
            "KAFKA_PORT": str(kafka),
            "KAFKA_CONTROLLER_PORT": str(controller),
            "KAFKA_ADMIN_PASSWORD": secret(),
            "KAFKA_APP_USER": APP_USER,
            "KAFKA_APP_PASSWORD": self.passwords["kafka_app"],
            "MINIO_PORT": str(minio),
            "MINIO_CONSOLE_PORT": str(console),
            "MINIO_ROOT_USER": f"root-{secrets.token_hex(4)}",
            "MINIO_ROOT_PASSWORD": secret(),
            "MINIO_APP_USER": "argus-app",
            "MINIO_APP_PASSWORD": self.passwords["s3"],
            "MINIO_APP_BUCKET": BUCKET_PATTERN,
            "PG_PORT": str(pg),
            "PG_SUPERUSER_PASSWORD": secret(),
            "PG_APP_USER": APP_USER,
            "PG_APP_PASSWORD": self.passwords["pg_app"],
            # Throw-away servers: no fsync, no AOF (the bench measures the app, not the disk).
            "PG_FAST": "yes",
            "REDIS_PORT": str(redis),
            "REDIS_APPENDONLY": "no",
            "REDIS_ADMIN_PASSWORD": secret(),
            "REDIS_APP_USER": APP_USER,
            "REDIS_APP_PASSWORD": self.passwords["redis_app"],
        }

    def run(self, script: str, command: str) -> None:
        done = subprocess.run(
            ["bash", str(LOCAL / script), command],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{script} {command} failed:\n{done.stderr[-3000:]}")

    def __enter__(self) -> PrivateInfra:
        try:
            for script in SCRIPTS:
                self.started.append(script)  # before start: a half-started server is stopped too
                self.run(script, "start")
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        for script in reversed(self.started):
            try:
                self.run(script, "stop")
            except RuntimeError as error:
                print(f"warning: {error}", flush=True)
        self.started.clear()
        shutil.rmtree(self.var_dir, ignore_errors=True)

    def app_env(self) -> dict[str, str]:
        """The `ARGUS_*` variables of every role on these servers (what var/infra.env holds
        for `make infra-up`'s)."""
        p = self.passwords
        return {
            "ARGUS_PG_URL": (
                f"postgresql://{APP_USER}:{p['pg_app']}@127.0.0.1:{self.ports['postgres']}/argus"
            ),
            "ARGUS_REDIS_URL": f"redis://{APP_USER}:{p['redis_app']}@127.0.0.1:{self.ports['redis']}/0",
            "ARGUS_KAFKA_BOOTSTRAP": f"127.0.0.1:{self.ports['kafka']}",
            "ARGUS_KAFKA_SASL_USERNAME": APP_USER,
            "ARGUS_KAFKA_SASL_PASSWORD": p["kafka_app"],
            "ARGUS_BLOB_BACKEND": "s3",
            "ARGUS_S3_ENDPOINT_URL": f"http://127.0.0.1:{self.ports['minio']}",
            "ARGUS_S3_ACCESS_KEY_ID": "argus-app",
            "ARGUS_S3_SECRET_ACCESS_KEY": p["s3"],
        }

    def server_pids(self) -> dict[str, int]:
        """The main pid of each server, from the pid files its script wrote."""
        files = {
            "Kafka JVM": self.var_dir / "run" / "kafka.pid",
            "MinIO": self.var_dir / "run" / "minio.pid",
            "PostgreSQL": self.var_dir / "infra" / "postgres" / "data" / "postmaster.pid",
            "Redis": self.var_dir / "infra" / "redis" / "redis.pid",
        }
        return {name: int(path.read_text().split()[0]) for name, path in files.items()}


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP end the run like Ctrl-C does: through every `finally` and
    `__exit__`, so no server outlives the bench."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)
