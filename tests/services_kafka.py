"""A throw-away single-node Kafka (KRaft) for the test session, from deployments/local/kafka.sh.

The jars are cached under var/cache/kafka-libs (fetched with Maven on first use); the
broker's data, logs and pid file live in a temporary directory. As in `make infra-up`, clients
authenticate with SASL/SCRAM-SHA-512 and the app user may only use topics under `argus`:
tests take their topic prefixes from `topic_prefix()`.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from argus.infrastructure.embedded.process import free_port
from argus.infrastructure.kafka.settings import KafkaSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
KAFKA_SH = REPO_ROOT / "deployments" / "local" / "kafka.sh"


APP_USER = "argus"
APP_TOPIC_PREFIX = "argus"


def topic_prefix(tag: str) -> str:
    """A test's own topic prefix, inside the app user's allowed `argus` prefix."""
    return f"{APP_TOPIC_PREFIX}-{tag}"


@dataclass(frozen=True)
class KafkaServer:
    bootstrap: str
    env: dict[str, str]
    app_password: str

    def settings(self, **overrides: Any) -> KafkaSettings:
        """Settings of the app user on this broker (SASL/SCRAM)."""
        defaults: dict[str, Any] = {
            "bootstrap": self.bootstrap,
            "sasl_username": APP_USER,
            "sasl_password": SecretStr(self.app_password),
        }
        return KafkaSettings(**(defaults | overrides))

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments of a raw aiokafka client authenticated as the app user."""
        return self.settings().client_options()

    def app_env(self) -> dict[str, str]:
        """The `ARGUS_KAFKA_*` variables of a role on this broker."""
        return {
            "ARGUS_KAFKA_BOOTSTRAP": self.bootstrap,
            "ARGUS_KAFKA_SASL_USERNAME": APP_USER,
            "ARGUS_KAFKA_SASL_PASSWORD": self.app_password,
        }

    def run(self, command: str) -> None:
        subprocess.run(
            ["bash", str(KAFKA_SH), command], env=self.env, check=True, capture_output=True
        )


def _other_port(taken: int) -> int:
    port = free_port()
    while port == taken:
        port = free_port()
    return port


@pytest.fixture(scope="session")
def kafka() -> Iterator[KafkaServer]:
    var_dir = Path(tempfile.mkdtemp(prefix="argus-test-kafka-"))
    port = free_port()
    app_password = secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "ARGUS_VAR_DIR": str(var_dir),
        "KAFKA_LIBS_DIR": str(REPO_ROOT / "var" / "cache" / "kafka-libs"),
        "KAFKA_PORT": str(port),
        "KAFKA_CONTROLLER_PORT": str(_other_port(port)),
        "KAFKA_ADMIN_PASSWORD": secrets.token_urlsafe(24),
        "KAFKA_APP_USER": APP_USER,
        "KAFKA_APP_PASSWORD": app_password,
        "KAFKA_APP_TOPIC_PREFIX": APP_TOPIC_PREFIX,
    }
    server = KafkaServer(bootstrap=f"127.0.0.1:{port}", env=env, app_password=app_password)
    try:
        server.run("start")
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"Kafka did not start: {exc.stderr.decode()[-3000:]}")
    try:
        yield server
    finally:
        subprocess.run(["bash", str(KAFKA_SH), "stop"], env=env, check=False, capture_output=True)
        shutil.rmtree(var_dir, ignore_errors=True)
