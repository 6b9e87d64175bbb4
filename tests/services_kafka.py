"""A throw-away single-node Kafka (KRaft) for the test session, from deployments/local/kafka.sh.

The jars are cached under var/cache/kafka-libs (fetched from Maven Central on first use);
the broker's data, logs and pid file live in a temporary directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from argus.infrastructure.embedded.process import free_port

REPO_ROOT = Path(__file__).resolve().parents[1]
KAFKA_SH = REPO_ROOT / "deployments" / "local" / "kafka.sh"


@dataclass(frozen=True)
class KafkaServer:
    bootstrap: str
    env: dict[str, str]

    def run(self, command: str) -> None:
        subprocess.run(
            ["bash", str(KAFKA_SH), command], env=self.env, check=True, capture_output=True
        )


@pytest.fixture(scope="session")
def kafka() -> Iterator[KafkaServer]:
    var_dir = Path(tempfile.mkdtemp(prefix="argus-test-kafka-"))
    port = free_port()
    env = {
        **os.environ,
        "ARGUS_VAR_DIR": str(var_dir),
        "KAFKA_LIBS_DIR": str(REPO_ROOT / "var" / "cache" / "kafka-libs"),
        "KAFKA_PORT": str(port),
        "KAFKA_CONTROLLER_PORT": str(free_port()),
    }
    server = KafkaServer(bootstrap=f"127.0.0.1:{port}", env=env)
    try:
        server.run("start")
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"Kafka did not start: {exc.stderr.decode()[-3000:]}")
    try:
        yield server
    finally:
        subprocess.run(["bash", str(KAFKA_SH), "stop"], env=env, check=False, capture_output=True)
        shutil.rmtree(var_dir, ignore_errors=True)
