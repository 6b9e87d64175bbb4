"""A throw-away MinIO per test session: the binary `deployments/local/minio.sh build` makes,
on a free loopback port, with its data in a temporary directory removed at the end.

Register the module as a plugin (`pytest_plugins = ["tests.services_s3"]` in tests/conftest.py):
then `pytest_collection_finish` builds a missing binary when integration tests are selected,
before any test starts and so outside the per-test timeout (a cold build takes ~3 minutes).
Imported by name instead, the fixture still builds it on first use, but inside the timeout
of the first test that needs it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from argus.infrastructure.embedded.process import free_port, stop, tail, wait_until
from argus.infrastructure.s3.settings import S3Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
MINIO_SCRIPT = REPO_ROOT / "deployments" / "local" / "minio.sh"
APP_USER_SCRIPT = REPO_ROOT / "deployments" / "local" / "minio_app_user.py"
BUILD_TIMEOUT_S = 900.0
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class MinioServer:
    """A running MinIO: where it listens and the root credentials."""

    endpoint_url: str
    access_key: str
    secret_key: str
    data_dir: Path

    def settings(self, bucket: str, **overrides: Any) -> S3Settings:
        """Settings of a store on this server, in `bucket`."""
        defaults: dict[str, Any] = {
            "endpoint_url": self.endpoint_url,
            "access_key_id": self.access_key,
            "secret_access_key": SecretStr(self.secret_key),
        }
        return S3Settings(bucket=bucket, **(defaults | overrides))

    def app_user(self, user: str, bucket_pattern: str) -> tuple[str, str]:
        """An access key limited to `bucket_pattern` by a policy, as `make infra-up` makes
        the app's (deployments/local/minio_app_user.py): (access key, secret key)."""
        password = secrets.token_urlsafe(24)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MINIO_")}
        env |= {
            "MINIO_ENDPOINT": self.endpoint_url,
            "MINIO_ROOT_USER": self.access_key,
            "MINIO_ROOT_PASSWORD": self.secret_key,
            "MINIO_APP_USER": user,
            "MINIO_APP_PASSWORD": password,
            "MINIO_APP_BUCKET": bucket_pattern,
        }
        subprocess.run(
            [sys.executable, str(APP_USER_SCRIPT)], env=env, check=True, capture_output=True
        )
        return user, password


def minio_binary() -> Path:
    """Where minio.sh puts the binary (same variables, relative paths from the repo root)."""
    var_dir = REPO_ROOT / os.environ.get("ARGUS_VAR_DIR", "var")
    bin_dir = REPO_ROOT / os.environ.get("ARGUS_BIN_DIR", str(var_dir / "cache" / "bin"))
    return bin_dir / "minio"


def ensure_minio_binary() -> Path:
    """The MinIO binary, built with `minio.sh build` when it is missing."""
    binary = minio_binary()
    if os.access(binary, os.X_OK):
        return binary
    done = subprocess.run(
        [str(MINIO_SCRIPT), "build"],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0 or not os.access(binary, os.X_OK):
        pytest.fail(f"building MinIO failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return binary


def pytest_collection_finish(session: pytest.Session) -> None:
    """Build a missing MinIO before the first integration test runs (plugin mode only).

    The marker, not the fixture, decides: adapter fixtures ask for `minio` at run time
    (`request.getfixturevalue`), which collection cannot see.
    """
    if any(item.get_closest_marker("integration") for item in session.items):
        ensure_minio_binary()


@pytest.fixture(scope="session")
def minio() -> Iterator[MinioServer]:
    """One MinIO for the whole session; every test uses its own bucket or keys."""
    binary = ensure_minio_binary()
    base = Path(tempfile.mkdtemp(prefix="argus-test-minio-"))
    port, console_port = _two_free_ports()
    server = MinioServer(
        endpoint_url=f"http://127.0.0.1:{port}",
        # Generated root keys, never MinIO's defaults (as `make infra-up`).
        access_key=f"root-{secrets.token_hex(4)}",
        secret_key=secrets.token_urlsafe(24),
        data_dir=base / "data",
    )
    log_path = base / "minio.log"
    # Only our MINIO_* variables: an exported MINIO_VOLUMES or similar must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINIO_")}
    env |= {
        "MINIO_ROOT_USER": server.access_key,
        "MINIO_ROOT_PASSWORD": server.secret_key,
        "MINIO_UPDATE": "off",
        "MINIO_BROWSER": "off",
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                str(binary),
                "server",
                "--quiet",
                "--address",
                f"127.0.0.1:{port}",
                "--console-address",
                f"127.0.0.1:{console_port}",
                str(server.data_dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    try:
        wait_until(
            lambda: _ready(server.endpoint_url),
            what="MinIO",
            timeout_s=START_TIMEOUT_S,
            process=process,
            log=log_path,
        )
        yield server
    finally:
        stop(process, signal_first=signal.SIGTERM)
        if process.returncode not in (0, -signal.SIGTERM):
            print(f"MinIO exited with {process.returncode}:\n{tail(log_path)}")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def s3_settings(minio: MinioServer) -> S3Settings:
    """Settings for the session's test bucket (stores create it with `ensure_bucket`)."""
    return minio.settings("argus-test")


def _two_free_ports() -> tuple[int, int]:
    first = free_port()
    second = free_port()
    while second == first:
        second = free_port()
    return first, second


def _ready(endpoint_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint_url}/minio/health/ready", timeout=1) as reply:
            return int(reply.status) == 200
    except (urllib.error.URLError, OSError):
        return False
