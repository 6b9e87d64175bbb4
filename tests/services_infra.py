"""PostgreSQL and Redis of the distributed mode for tests, started by the very scripts
`make infra-up` runs (deployments/local/postgres.sh, redis.sh): passwords on, generated per
session, data in temporary directories removed at the end."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from argus.infrastructure.embedded.process import free_port

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCAL = REPO_ROOT / "deployments" / "local"
APP_USER = "argus"


def secret() -> str:
    """A generated password, as infra.sh makes them (URL-safe)."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class ScriptServer:
    """A server run by one of the deployments/local scripts with `env`."""

    script: str
    env: dict[str, str]

    def run(self, command: str) -> None:
        done = subprocess.run(
            ["bash", str(LOCAL / self.script), command],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{self.script} {command} failed:\n{done.stderr[-3000:]}")

    def start(self) -> None:
        self.run("start")

    def stop(self) -> None:
        self.run("stop")


ServerT = TypeVar("ServerT", "InfraPostgres", "InfraRedis")


@dataclass(frozen=True)
class InfraPostgres(ScriptServer):
    port: int
    app_password: str
    superuser_password: str
    data_dir: Path

    def url(self, *, user: str = APP_USER, password: str | None = None) -> str:
        """The app role's URL (or `user` with `password`; None: no password at all)."""
        secret_part = "" if password is None else f":{password}"
        return f"postgresql://{user}{secret_part}@127.0.0.1:{self.port}/argus"

    @property
    def app_url(self) -> str:
        return self.url(password=self.app_password)


@dataclass(frozen=True)
class InfraRedis(ScriptServer):
    port: int
    app_password: str
    admin_password: str
    data_dir: Path

    def url_as(self, user: str | None, password: str | None) -> str:
        auth = "" if password is None else f"{user or ''}:{password}@"
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    @property
    def url(self) -> str:
        """The app user's URL: what the roles get as ARGUS_REDIS_URL."""
        return self.url_as(APP_USER, self.app_password)


def _base_env(var_dir: Path) -> dict[str, str]:
    return {**os.environ, "ARGUS_VAR_DIR": str(var_dir)}


def start_postgres(var_dir: Path | None = None) -> InfraPostgres:
    """A PostgreSQL with an app role and a superuser password (fast, not durable), in a fresh
    directory or in `var_dir`'s `infra/postgres`."""
    var_dir = var_dir or Path(tempfile.mkdtemp(prefix="argus-test-infra-pg-"))
    port, app_password, superuser_password = free_port(), secret(), secret()
    env = _base_env(var_dir) | {
        "PG_PORT": str(port),
        "PG_SUPERUSER_PASSWORD": superuser_password,
        "PG_APP_USER": APP_USER,
        "PG_APP_PASSWORD": app_password,
        "PG_FAST": "yes",
    }
    server = InfraPostgres("postgres.sh", env, port, app_password, superuser_password, var_dir)
    server.start()
    return server


def start_redis() -> InfraRedis:
    """A fresh Redis without persistence: a restart loses everything, as a crashed node."""
    var_dir = Path(tempfile.mkdtemp(prefix="argus-test-infra-redis-"))
    port, app_password, admin_password = free_port(), secret(), secret()
    env = _base_env(var_dir) | {
        "REDIS_PORT": str(port),
        "REDIS_APPENDONLY": "no",
        "REDIS_ADMIN_PASSWORD": admin_password,
        "REDIS_APP_USER": APP_USER,
        "REDIS_APP_PASSWORD": app_password,
    }
    server = InfraRedis("redis.sh", env, port, app_password, admin_password, var_dir)
    server.start()
    return server


def _for_session(start: Callable[[], ServerT]) -> Iterator[ServerT]:
    try:
        server = start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(server.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def infra_postgres() -> Iterator[InfraPostgres]:
    """The distributed mode's PostgreSQL, passwords on (shared by the session)."""
    yield from _for_session(start_postgres)


@pytest.fixture(scope="session")
def infra_redis() -> Iterator[InfraRedis]:
    """The distributed mode's Redis, ACL users on (shared by the session)."""
    yield from _for_session(start_redis)
