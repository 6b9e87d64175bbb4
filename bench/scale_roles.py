"""Argus' roles as separate processes for bench/scale.py, on the servers of a `PrivateInfra`:
the ingestor, query, orchestrator, aggregator and agent stay up for the whole run; parser
workers are started and stopped around each measured batch, as many as the round asks for.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from private_infra import PrivateInfra

from argus.constants import GROUP_PARSERS
from argus.infrastructure.embedded.process import free_port
from argus.infrastructure.kafka.settings import KafkaSettings

FIXED_ROLES = {
    "ingest": ["ingestor"],
    "query": ["query"],
    "orchestrator": ["orchestrator"],
    "aggregator": ["worker", "aggregator"],
    "agent": ["worker", "agent"],
}
# What a parser logs (at INFO) once it has published the result of one file.
PARSED_LINE = "parsed file "


class RolesError(RuntimeError):
    """A role did not start or the parser group did not settle (the logs say why)."""


class Roles:
    """The role processes of one bench run, their logs in `log_dir`."""

    def __init__(self, infra: PrivateInfra, log_dir: Path) -> None:
        run = uuid.uuid4().hex[:8]
        self.log_dir = log_dir
        self.ingest_url = f"http://127.0.0.1:{free_port()}"
        self.query_url = f"http://127.0.0.1:{free_port()}"
        self.env = {
            **os.environ,
            **infra.app_env(),
            # Inside the app users' Kafka topic prefix (`argus*`) and MinIO bucket pattern.
            "ARGUS_KAFKA_TOPIC_PREFIX": f"argus-bench{run}",
            "ARGUS_S3_BUCKET": f"argus-bench-{run}",
            "ARGUS_HTTP_HOST": "127.0.0.1",
            "ARGUS_HTTP_PORT": self.query_url.rsplit(":", 1)[1],
            "ARGUS_INGEST_PORT": self.ingest_url.rsplit(":", 1)[1],
            "ARGUS_DATA_DIR": str(log_dir),
            "ARGUS_LOG_LEVEL": "WARNING",
            # One parsing thread per process: processes are what scales here.
            "ARGUS_PARSER_THREADS": "1",
            "ARGUS_PARSER_CONCURRENCY": "1",
        }
        self.kafka = KafkaSettings(
            bootstrap=self.env["ARGUS_KAFKA_BOOTSTRAP"],
            sasl_username=self.env["ARGUS_KAFKA_SASL_USERNAME"],
            sasl_password=self.env["ARGUS_KAFKA_SASL_PASSWORD"],
        )
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def __enter__(self) -> Roles:
        try:
            # The ingestor first: it applies the migrations and creates the topics and bucket.
            self._start("ingest", FIXED_ROLES["ingest"])
            wait_healthy(self.ingest_url, self)
            for name, command in FIXED_ROLES.items():
                if name != "ingest":
                    self._start(name, command)
            wait_healthy(self.query_url, self)
        except BaseException:
            self.stop(list(self.processes))
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop(list(self.processes))

    def _start(self, name: str, command: list[str], **env: str) -> None:
        with open(self.log_dir / f"{name}.log", "ab") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "argus", *command],
                env=self.env | env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def start_parsers(self, count: int, tag: str) -> list[str]:
        """`count` parser processes (INFO logs, to count what each parsed); returns once the
        consumer group has exactly them as members and is stable."""
        names = [f"parser-{tag}-{i}" for i in range(1, count + 1)]
        for name in names:
            self._start(name, ["worker", "parser"], ARGUS_LOG_LEVEL="INFO")
        asyncio.run(self._wait_for_group(count))
        return names

    async def _wait_for_group(self, members: int, timeout_s: float = 180.0) -> None:
        admin = AIOKafkaAdminClient(**self.kafka.client_options())
        await admin.start()
        try:
            deadline = time.monotonic() + timeout_s
            state, joined = "", -1
            while time.monotonic() < deadline:
                self.check_alive()
                [response] = await admin.describe_consumer_groups([GROUP_PARSERS])
                # DescribeGroups v0+: (error, group, state, protocol type, protocol, members, …)
                group = response.groups[0]
                state, joined = group[2], len(group[5])
                if state == "Stable" and joined == members:
                    return
                await asyncio.sleep(0.3)
            raise RolesError(f"parser group {state!r} with {joined}/{members} members")
        finally:
            await admin.close()

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RolesError(f"{name} exited with {process.returncode}:\n{self.tail(name)}")

    def tail(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")[-3000:]

    def files_parsed(self, name: str, batch_id: str) -> int:
        """Files of `batch_id` that the parser `name` parsed, counted in its log."""
        text = (self.log_dir / f"{name}.log").read_text(errors="replace")
        return sum(
            1
            for line in text.splitlines()
            if PARSED_LINE in line and f" of batch {batch_id}:" in line
        )

    def pids(self, names: list[str]) -> list[int]:
        return [self.processes[name].pid for name in names]

    def stop(self, names: list[str]) -> None:
        """SIGTERM (a parser leaves its group cleanly), then SIGKILL after 60 s."""
        running = [self.processes.pop(name) for name in names if name in self.processes]
        for process in running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def wait_healthy(url: str, roles: Roles) -> None:
    for _ in range(600):
        roles.check_alive()
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RolesError(f"{url} did not become healthy")
