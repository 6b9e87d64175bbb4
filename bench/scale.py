"""Scale-out benchmark of the distributed mode: the same batch, complete → report final, with
1, 2 and 4 parser worker processes (one parsing thread each), rounds interleaved (1, 2, 4, 1,
2, 4, …); prints the median wall time, the speed-up against 1 parser, and the CPU seconds each
kind of process spent on the batch (parsers, orchestrator, aggregator, agent, ingest, query,
Kafka, MinIO, PostgreSQL, Redis, this client, and the rest of the machine) so the distance from
the ideal speed-up is explained by measurements, not guessed.

Self-contained: it starts its own Kafka, MinIO, PostgreSQL + pgvector and Redis with the
scripts of `make infra-up` on free ports, with a private data directory and fresh passwords
(bench/private_infra.py), and stops them at the end, also on Ctrl-C or SIGTERM. Jars and the
MinIO binary come from var/cache (fetched or built on first use: `make infra-up` does it too).
Run it under the bench lock: `flock -w 1200 /work/bench.lock make bench-scale`.
Usage: python bench/scale.py [--files 48] [--megabytes 16] [--parsers 1,2,4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import time
import uuid
from pathlib import Path

import httpx
from private_infra import PrivateInfra, stop_on_signals  # bench/ leads sys.path
from proc_cpu import Reading, account
from scale_report import Measurement, report
from scale_roles import FIXED_ROLES, Roles
from tokens import VEHICLE, Tokens, issue_tokens

from argus.cli.client import ArgusClient
from argus.loggen import generate_batch, parse_fault

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench"
CLIENT = "bench client"
# Seconds of nothing before each batch, to see what the processes burn at rest.
AT_REST_S = 2.0


def drive(files: int, megabytes: int) -> list[Path]:
    """`files` consecutive drive logs of ~`megabytes` MB, generated once into var/bench."""
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


class Bench:
    def __init__(self, infra: PrivateInfra, roles: Roles, token: str) -> None:
        self.infra, self.roles, self.token = infra, roles, token
        self.server_pids = infra.server_pids()

    def measure(self, parsers: int, paths: list[Path], tag: str) -> Measurement:
        names = self.roles.start_parsers(parsers, tag)
        try:
            groups = {"parsers": self.roles.pids(names)}
            groups |= {name: self.roles.pids([name]) for name in FIXED_ROLES}
            groups |= {name: [pid] for name, pid in self.server_pids.items()}
            batch_id = f"scale-{tag}-{uuid.uuid4().hex[:6]}"
            measured = asyncio.run(self._batch(parsers, batch_id, paths, groups))
            counts = [self.roles.files_parsed(name, batch_id) for name in names]
        finally:
            self.roles.stop(names)
        return dataclasses.replace(measured, files_per_parser=counts)

    async def _batch(
        self, parsers: int, batch_id: str, paths: list[Path], groups: dict[str, list[int]]
    ) -> Measurement:
        timeout = httpx.Timeout(60, read=900)
        headers = Tokens.header(self.token)  # the vehicle's: it writes its batch, reads it back
        async with (
            httpx.AsyncClient(
                base_url=self.roles.ingest_url, timeout=timeout, headers=headers
            ) as ingest,
            httpx.AsyncClient(base_url=self.roles.query_url, timeout=timeout, headers=headers) as q,
        ):
            client = ArgusClient(ingest, reads=q)
            await client.create_batch(vehicle_id=VEHICLE, batch_id=batch_id)
            for path in paths:  # not timed: the bench is about what follows `complete`
                await client.upload(batch_id, path, on_bytes=lambda _n: None)
            # The upload's dirty pages are written now, not by kernel threads during the batch.
            await asyncio.to_thread(os.sync)
            quiet = Reading.take()
            await asyncio.sleep(AT_REST_S)  # what every process burns doing nothing
            before = Reading.take()
            phases: dict[str, float] = {}
            start = time.perf_counter()
            await client.complete(batch_id)
            async for _, data in client.follow(batch_id):
                if data.get("type") == "status":
                    phases.setdefault(data["status"], time.perf_counter() - start)
            status, report = await client.report(batch_id)
            wall = time.perf_counter() - start
            after = Reading.take()
        if status != 200 or report["status"] != "completed":
            raise SystemExit(f"batch {batch_id} ended {report.get('status')}: {report}")
        spent, others = account(before, after, groups, own=CLIENT)
        idle, _ = account(quiet, before, groups, own=CLIENT)
        at_rest = {kind: seconds / AT_REST_S for kind, seconds in idle.items()}
        return Measurement(parsers, wall, spent, [], phases, others, at_rest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=48)
    parser.add_argument("--megabytes", type=int, default=16)
    parser.add_argument("--parsers", default="1,2,4")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    paths = drive(args.files, args.megabytes)
    counts = [int(n) for n in args.parsers.split(",")]
    results: dict[int, list[Measurement]] = {n: [] for n in counts}
    stop_on_signals()
    logs = CACHE / "scale-logs" / time.strftime("%Y%m%dT%H%M%S")
    logs.mkdir(parents=True)
    print(f"role logs: {logs}", flush=True)
    with PrivateInfra() as infra, Roles(infra, logs) as roles:
        bench = Bench(infra, roles, issue_tokens(roles.env).vehicle)
        for round_no in range(1, args.rounds + 1):
            for n in counts:
                m = bench.measure(n, paths, tag=f"r{round_no}p{n}")
                results[n].append(m)
                print(
                    f"round {round_no}, {n} parser(s): {m.wall_s:.2f} s, files per parser "
                    f"{m.files_per_parser}, parser CPU {m.cpu_s['parsers']:.2f} s",
                    flush=True,
                )
    report(results, paths, args.rounds)


if __name__ == "__main__":
    main()
