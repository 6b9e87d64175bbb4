"""The distributed mode for tests: every role its own process, on Kafka, MinIO, PostgreSQL
and Redis, each with credentials on, as `make infra-up` runs them (SASL/SCRAM, app keys, a
password-protected non-superuser role, a Redis ACL user). Parser workers reach MinIO through a
bandwidth-limited proxy (slow storage), so a fault can be injected while a file is provably
being parsed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from argus.infrastructure.embedded.process import free_port
from tests.e2e.throttle_proxy import ThrottleProxy
from tests.services_infra import InfraPostgres, InfraRedis, start_redis
from tests.services_kafka import KafkaServer, topic_prefix
from tests.services_s3 import MinioServer

PARSER_BYTES_PER_S = 4_000_000
WORKER_ROLES = {
    "orchestrator": ["orchestrator"],
    "aggregator": ["worker", "aggregator"],
    "agent": ["worker", "agent"],
    "parser-1": ["worker", "parser"],
    "parser-2": ["worker", "parser"],
}


@dataclass
class Cluster:
    env: dict[str, str]
    parser_env: dict[str, str]
    log_dir: Path
    ingest_url: str
    query_url: str
    topic_prefix: str
    bucket: str
    redis: InfraRedis | None = None
    # An engineer's Authorization header for plain reads (set by the dist_identities fixture).
    read_headers: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str) -> None:
        command = (
            ["ingestor"]
            if name == "ingestor"
            else ["query"]
            if name == "query"
            else WORKER_ROLES[name]
        )
        env = self.parser_env if name.startswith("parser") else self.env
        with open(self.log_dir / f"{name}.log", "ab") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "argus", *command],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log_of(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def kill(self, name: str) -> None:
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text()[-4000:]}" for p in sorted(self.log_dir.glob("*.log"))
        )

    def wait_healthy(self) -> None:
        for url in (self.ingest_url, self.query_url):
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            else:
                pytest.fail(f"{url} not healthy:\n{self.logs()}")


@pytest.fixture(scope="session")
def cluster(
    infra_postgres: InfraPostgres,
    kafka: KafkaServer,
    minio: MinioServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    log_dir = tmp_path_factory.mktemp("cluster-logs")
    # A Redis of its own, without persistence: a restart of it loses everything, as a
    # crashed cache node would, and the other tiers' Redis is not disturbed.
    redis = start_redis()
    ingest_port, query_port = free_port(), free_port()
    prefix = topic_prefix(f"dist{uuid.uuid4().hex[:8]}")
    bucket = f"argus-{uuid.uuid4().hex[:8]}"
    # The roles use an access key limited to their bucket, not MinIO's root keys.
    s3_key, s3_secret = minio.app_user(f"app-{bucket}", bucket)
    env = {
        **os.environ,
        "ARGUS_PG_URL": infra_postgres.app_url,
        "ARGUS_REDIS_URL": redis.url,
        **kafka.app_env(),
        "ARGUS_KAFKA_TOPIC_PREFIX": prefix,
        "ARGUS_KAFKA_POLL_TIMEOUT_MS": "200",
        "ARGUS_KAFKA_SESSION_TIMEOUT_MS": "6000",
        "ARGUS_BLOB_BACKEND": "s3",
        "ARGUS_S3_ENDPOINT_URL": minio.endpoint_url,
        "ARGUS_S3_BUCKET": bucket,
        "ARGUS_S3_ACCESS_KEY_ID": s3_key,
        "ARGUS_S3_SECRET_ACCESS_KEY": s3_secret,
        "ARGUS_S3_PART_SIZE_BYTES": str(5 * 1024 * 1024),
        "ARGUS_HTTP_HOST": "127.0.0.1",
        "ARGUS_HTTP_PORT": str(query_port),
        "ARGUS_INGEST_PORT": str(ingest_port),
        "ARGUS_BUS_RETRY_BACKOFF_S": "0.2",
        "ARGUS_BUS_RETRY_MAX_ATTEMPTS": "6",
        "ARGUS_BUS_MAX_DELIVERIES": "3",
        "ARGUS_JANITOR_INTERVAL_S": "0.5",
        "ARGUS_DATA_DIR": str(log_dir),
        "ARGUS_LOG_LEVEL": "INFO",
    }
    endpoint = httpx.URL(minio.endpoint_url)
    with ThrottleProxy(endpoint.host, endpoint.port or 80, bytes_per_s=PARSER_BYTES_PER_S) as proxy:
        parser_env = {**env, "ARGUS_S3_ENDPOINT_URL": f"http://127.0.0.1:{proxy.port}"}
        running = Cluster(
            env=env,
            parser_env=parser_env,
            log_dir=log_dir,
            ingest_url=f"http://127.0.0.1:{ingest_port}",
            query_url=f"http://127.0.0.1:{query_port}",
            topic_prefix=prefix,
            bucket=bucket,
            redis=redis,
        )
        # The ingestor first: it applies the migrations and creates the bucket and topics.
        running.start("ingestor")
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{running.ingest_url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            for name in ("query", *WORKER_ROLES):
                running.start(name)
            running.wait_healthy()
            yield running
        finally:
            running.stop_all()
            redis.stop()
            shutil.rmtree(redis.data_dir, ignore_errors=True)
