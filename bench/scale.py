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
Usage: python bench/scale.py [--files 16] [--megabytes 50] [--parsers 1,2,4] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import httpx
from private_infra import PrivateInfra, stop_on_signals  # bench/ leads sys.path
from proc_cpu import cpu_seconds, machine_busy_seconds
from scale_roles import FIXED_ROLES, Roles
from tokens import VEHICLE, Tokens, issue_tokens

from argus.cli.client import ArgusClient
from argus.loggen import generate_batch, parse_fault

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench"
CLIENT = "bench client"
REST = "rest of machine"


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


@dataclass(frozen=True)
class Measurement:
    parsers: int
    wall_s: float
    cpu_s: dict[str, float]  # kind → CPU seconds spent during the batch
    files_per_parser: list[int]
    phases: dict[str, float]  # batch status → seconds after `complete` it was seen (SSE)


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
            wall, cpu, phases = asyncio.run(self._batch(batch_id, paths, groups))
            counts = [self.roles.files_parsed(name, batch_id) for name in names]
        finally:
            self.roles.stop(names)
        return Measurement(parsers, wall, cpu, counts, phases)

    async def _batch(
        self, batch_id: str, paths: list[Path], groups: dict[str, list[int]]
    ) -> tuple[float, dict[str, float], dict[str, float]]:
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
            before, busy_before, own_before = cpu_seconds(groups), machine_busy_seconds(), own()
            phases: dict[str, float] = {}
            start = time.perf_counter()
            await client.complete(batch_id)
            async for _, data in client.follow(batch_id):
                if data.get("type") == "status":
                    phases.setdefault(data["status"], time.perf_counter() - start)
            status, report = await client.report(batch_id)
            wall = time.perf_counter() - start
            after, busy_after, own_after = cpu_seconds(groups), machine_busy_seconds(), own()
        if status != 200 or report["status"] != "completed":
            raise SystemExit(f"batch {batch_id} ended {report.get('status')}: {report}")
        spent = {name: after[name] - before[name] for name in groups}
        spent[CLIENT] = own_after - own_before
        spent[REST] = (busy_after - busy_before) - sum(spent.values())
        return wall, spent, phases


def own() -> float:
    """This process's CPU seconds (not its children: the roles are counted on their own)."""
    return time.process_time()


def report(results: dict[int, list[Measurement]], paths: list[Path], rounds: int) -> None:
    total_mb = sum(p.stat().st_size for p in paths) / 1e6
    cores = os.cpu_count() or 1
    baseline = median(m.wall_s for m in results[min(results)])
    print(f"\n{len(paths)} files, {total_mb:.0f} MB; {cores} cores; {rounds} rounds, interleaved")
    print(f"{'parsers':>7} {'median wall':>12} {'min wall':>9} {'speed-up':>9}  files per parser")
    for parsers, runs in results.items():
        wall = median(m.wall_s for m in runs)
        shares = "  ".join("/".join(str(n) for n in m.files_per_parser) for m in runs)
        print(
            f"{parsers:>7} {wall:>10.2f} s {min(m.wall_s for m in runs):>7.2f} s "
            f"{baseline / wall:>8.2f}×  {shares}"
        )
    print("\nWhere the wall time went (median seconds; batch statuses as the SSE stream saw them):")
    print(f"{'':>34}" + "".join(f"{f'{n} parser(s)':>14}" for n in results))
    for label, since, until in PHASES:
        cells = [median(phase(m, since, until) for m in runs) for runs in results.values()]
        print(f"{label:>34}" + "".join(f"{cell:>12.2f} s" for cell in cells))
    kinds = list(next(iter(results.values()))[0].cpu_s)
    print("\nCPU seconds during the batch (median over rounds), and share of 'cores × wall':")
    print(f"{'':>16}" + "".join(f"{f'{n} parser(s)':>20}" for n in results))
    for kind in [*kinds, "total busy", "idle"]:
        cells = []
        for runs in results.values():
            seconds = median(cpu_of(m, kind, cores) for m in runs)
            capacity = median(m.wall_s * cores for m in runs)
            cells.append(f"{seconds:>11.2f} s {100 * seconds / capacity:>5.1f}%")
        print(f"{kind:>16}" + "".join(f"{cell:>20}" for cell in cells))


PHASES = (
    ("complete → scattering", None, "scattering"),
    ("scattering → gathering (parsing)", "scattering", "gathering"),
    ("gathering → report final", "gathering", None),
)


def phase(m: Measurement, since: str | None, until: str | None) -> float:
    start = m.phases.get(since, 0.0) if since else 0.0
    end = m.phases.get(until, m.wall_s) if until else m.wall_s
    return end - start


def cpu_of(m: Measurement, kind: str, cores: int) -> float:
    busy = sum(m.cpu_s.values())
    if kind == "total busy":
        return busy
    if kind == "idle":
        return max(0.0, m.wall_s * cores - busy)
    return m.cpu_s[kind]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--parsers", default="1,2,4")
    parser.add_argument("--rounds", type=int, default=2)
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
