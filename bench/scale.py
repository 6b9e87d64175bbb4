"""Scale-out benchmark of the distributed mode: one batch of many files, complete → report,
with 1 and then 2 parser worker processes, in one run; prints the speed-up.

Needs the servers of `make infra-up` (Kafka, MinIO, PostgreSQL, Redis on their default
loopback ports, see deployments/local/distributed.env). Each run uses its own Kafka topic
prefix and bucket, so runs never see each other's events.
Usage: python bench/scale.py [--files 24] [--megabytes 8] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from tokens import Tokens, issue_tokens  # bench/tokens.py: bench/ leads sys.path

from argus.cli.client import ArgusClient
from argus.infrastructure.embedded.process import free_port
from argus.loggen import generate_batch, parse_fault

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench"


def distributed_env() -> dict[str, str]:
    """distributed.env plus the app's credentials that `make infra-up` generated."""
    env = dict(os.environ)
    credentials = ROOT / "var" / "infra.env"
    if not credentials.exists():
        raise SystemExit(f"{credentials} is missing: run `make infra-up` first")
    for path in (ROOT / "deployments" / "local" / "distributed.env", credentials):
        for line in path.read_text().splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                env.setdefault(key, value)
    return env


def drive(files: int, megabytes: int) -> list[Path]:
    out = CACHE / f"scale-{files}x{megabytes}mb"
    existing = sorted(out.glob("*.mcap"))
    if len(existing) == files:
        return existing
    out.mkdir(parents=True, exist_ok=True)
    print(f"generating {files} files of ~{megabytes} MB …", flush=True)
    return generate_batch(
        out,
        files=files,
        seed=3,
        target_bytes_per_file=megabytes * 1_000_000,
        faults=[parse_fault("error-burst")],
    )


def start_roles(parsers: int, log_dir: Path) -> tuple[list[subprocess.Popen[bytes]], str, str]:
    run = uuid.uuid4().hex[:8]
    ingest_port, query_port = free_port(), free_port()
    env = {
        **distributed_env(),
        # Inside the app user's Kafka topic prefix and MinIO bucket pattern (`argus*`).
        "ARGUS_KAFKA_TOPIC_PREFIX": f"argus-bench{run}",
        "ARGUS_S3_BUCKET": f"argus-bench-{run}",
        "ARGUS_HTTP_PORT": str(query_port),
        "ARGUS_INGEST_PORT": str(ingest_port),
        "ARGUS_LOG_LEVEL": "WARNING",
    }
    roles = [
        ["ingestor"],
        ["query"],
        ["orchestrator"],
        ["worker", "aggregator"],
        ["worker", "agent"],
    ]
    roles += [["worker", "parser"]] * parsers
    processes = []
    for index, role in enumerate(roles):
        with open(log_dir / f"{index}-{'-'.join(role)}.log", "wb") as log:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "argus", *role],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    return processes, f"http://127.0.0.1:{ingest_port}", f"http://127.0.0.1:{query_port}"


def wait_healthy(*urls: str) -> None:
    for url in urls:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"{url} did not become healthy")


async def complete_to_report_s(
    ingest_url: str, query_url: str, paths: list[Path], token: str
) -> float:
    timeout = httpx.Timeout(60, read=600)
    # The vehicle's token: it writes its batch and reads it back.
    headers = Tokens.header(token)
    async with (
        httpx.AsyncClient(base_url=ingest_url, timeout=timeout, headers=headers) as ingest,
        httpx.AsyncClient(base_url=query_url, timeout=timeout, headers=headers) as reads,
    ):
        client = ArgusClient(ingest, reads=reads)
        batch_id = f"scale-{uuid.uuid4().hex[:8]}"
        await client.create_batch(vehicle_id="veh-bench", batch_id=batch_id)
        for path in paths:
            await client.upload(batch_id, path, on_bytes=lambda _n: None)
        start = time.perf_counter()
        await client.complete(batch_id)
        async for _ in client.follow(batch_id):
            pass
        status, report = await client.report(batch_id)
        if status != 200 or report["status"] != "completed":
            raise SystemExit(f"batch ended {report['status']}")
        return time.perf_counter() - start


def measure(parsers: int, paths: list[Path]) -> float:
    with tempfile.TemporaryDirectory(prefix="argus-scale-") as logs:
        processes, ingest_url, query_url = start_roles(parsers, Path(logs))
        try:
            wait_healthy(ingest_url, query_url)
            token = issue_tokens(distributed_env()).vehicle
            time.sleep(3)  # let every consumer join its group before the work arrives
            return asyncio.run(complete_to_report_s(ingest_url, query_url, paths, token))
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=24)
    parser.add_argument("--megabytes", type=int, default=8)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    paths = drive(args.files, args.megabytes)
    results = {n: measure(n, paths) for n in (int(w) for w in args.workers.split(","))}
    baseline = results[min(results)]
    print(f"\n{'parser workers':>14} {'complete → report':>18} {'speed-up':>9}")
    for workers, seconds in results.items():
        print(f"{workers:>14} {seconds:>16.2f} s {baseline / seconds:>8.2f}×")
    total_mb = sum(p.stat().st_size for p in paths) / 1e6
    print(f"\n{len(paths)} files, {total_mb:.0f} MB; {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
