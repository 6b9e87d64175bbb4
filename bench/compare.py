"""One table: Argus against every peer doing the same work, in the same run (issue 11).

Parsing (bench/peer_parsers.py): a zstd and an lz4 drive log (--size-mb each, same seed) and
a message-dense log, each read by Argus' native engine in process and by foxglove's C++
reader, the Rust `mcap` crate, the Go mcap module and the upstream Python reader; `zstd -d` or
`lz4 -d` of the same chunk payloads and `cat` of the file are the byte-level floors. Every
parser must count the messages and payload bytes Argus counts: a difference is printed as a
MISMATCH and the script exits 1 after the table.
HTTP (bench/peer_http.py): GET of one finished report from `argus serve` (token checked), a Go
Gin server and a bare Starlette app serving the same bytes, loaded with ab (HTTP/1.0 and -k)
and wrk (HTTP/1.1 keep-alive).
Uploads (bench/upload_rounds.py): `curl -T` of the zstd log to `argus serve` against goal 4's
fsync'd copy (0034), the Go peer doing the same work, in three modes, and the hashing copy (0044).
Rounds are interleaved (every contender once, then again), so a noisy neighbour hits all of
them alike; each round starts one contender later (none always first) on a file just read
into the page cache. Ratios are Argus ÷ peer in throughput (> 1: Argus is faster), from each
contender's best round (min: least time per unit of work) and from the medians.
The table is printed as Markdown and kept in var/bench/compare-latest.md with raw results.

Usage: python bench/compare.py [--rounds 3] [--size-mb 500] [--only parse|http|upload] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from foxglove import lz4_drive_log
from parse import CACHE, dense_log, drive_log, generated_log, require_fresh_native
from peer_parsers import build_peers, contenders

Result = dict[str, Any]
# (path, contender) → one result per round, in the order the rounds ran.
Runs = dict[tuple[str, str], list[Result]]
LATEST = CACHE / "compare-latest"


def small_dense_log() -> Path:
    """--quick's dense log: dense_log()'s density (seed, payload sizes) over a tenth of it."""
    return generated_log("dense-300s.mcap", duration_s=300.0, target_bytes=5_000_000)


def parse_files(size_mb: int, quick: bool) -> list[tuple[str, Path, str]]:
    """(row label, file, chunk compression) of the three logs, generated once, untimed."""
    dense = small_dense_log() if quick else dense_log()
    return [
        (f"parse a {size_mb} MB zstd drive log", drive_log(size_mb), "zstd"),
        (f"parse a {size_mb} MB lz4 drive log", lz4_drive_log(size_mb), "lz4"),
        ("parse a message-dense log", dense, "zstd"),
    ]


def counts_differ(name: str, result: Result, argus: Result) -> str | None:
    """A parser that read other messages or bytes than Argus did is not doing the same work."""
    if result["messages"] is None:
        return None  # a byte-level floor (zstd -d, lz4 -d, cat): it counts nothing
    if (result["messages"], result["bytes"]) == (argus["messages"], argus["bytes"]):
        return None
    return (
        f"MISMATCH {name}: {result['messages']:,} messages / {result['bytes']:,} bytes, "
        f"Argus {argus['messages']:,} / {argus['bytes']:,}"
    )


def rotated(names: list[str], n: int) -> list[str]:
    """Round n starts at the n-th contender: none is always first (the first reader of a file
    that another bench pushed out of the page cache pays for the disk) nor always last."""
    k = n % len(names)
    return names[k:] + names[:k]


def warm(path: Path) -> None:
    """Read the file once, untimed, so every contender finds it in the page cache."""
    with open(path, "rb") as stream:
        while stream.read(1 << 23):
            pass


def parse_rounds(files: list[tuple[str, Path, str]], rounds: int, runs: Runs) -> list[str]:
    """Every file × every contender per round, in rotated order; returns the count mismatches."""
    build_peers()
    plans = {label: contenders(path, compression) for label, path, compression in files}
    mismatches: list[str] = []
    for n in range(rounds):
        for label, path, _ in files:
            warm(path)
            results: dict[str, Result] = {}
            for name in rotated(list(plans[label]), n):
                results[name] = plans[label][name](path)
                print(f"  round {n + 1} {label:<34} {name:<13} {results[name]['seconds']:8.3f} s")
            for name, result in results.items():
                runs.setdefault((label, name), []).append(result)
                problem = counts_differ(name, result, results["argus"])
                if problem is not None:
                    print(f"!!! {label}: {problem}", flush=True)
                    mismatches.append(f"{label}: {problem}")
    return mismatches


def _ratio(argus: float, peer: float) -> str:
    return f"{argus / peer:.2f}" if peer else "—"


def parse_rows(files: list[tuple[str, Path, str]], runs: Runs) -> list[list[str]]:
    """Per file: Argus' median throughput, then per peer its median and the ratios."""
    rows: list[list[str]] = []
    for label, path, _ in files:
        argus_runs = runs[(label, "argus")]
        messages = argus_runs[0]["messages"]
        dense = label.endswith("dense log")
        work = messages if dense else path.stat().st_size

        def rate(seconds: float, work: int = work, dense: bool = dense) -> str:
            return (
                f"{work / seconds / 1e6:.2f} M msg/s"
                if dense
                else f"{work / seconds / 1e6:,.0f} MB/s"
            )

        times = {
            name: [r["seconds"] for r in results]
            for (row, name), results in runs.items()
            if row == label
        }
        argus_min, argus_median = min(times["argus"]), statistics.median(times["argus"])
        what = f"{label} ({path.stat().st_size / 1e6:,.0f} MB, {messages:,} msgs)"
        for name, ts in times.items():
            if name == "argus":
                continue
            peer_min, peer_median = min(ts), statistics.median(ts)
            rows.append(
                [
                    what,
                    rate(argus_median) if what else "",
                    name,
                    rate(peer_median),
                    f"{_ratio(peer_min, argus_min)} / {_ratio(peer_median, argus_median)}",
                ]
            )
            what = ""
    return rows


def http_rows(runs: Runs, requests: int, concurrency: int, seconds: int) -> list[list[str]]:
    """Per load mode: Argus' median req/s and p99, then Gin's and Starlette's, and the ratios."""
    rows: list[list[str]] = []
    load = {
        "ab": f"ab -n {requests} -c {concurrency}",
        "wrk": f"wrk -c {concurrency} -d {seconds}s",
    }
    modes = dict.fromkeys(mode for mode, _ in runs)
    for mode in modes:

        def summary(name: str, mode: str = mode) -> tuple[float, float, str]:
            rs = runs[(mode, name)]
            rps = [r["rps"] for r in rs]
            failed = sum(r["failed"] for r in rs)
            p99 = statistics.median(r["p99"] for r in rs)
            text = f"{statistics.median(rps):,.0f} req/s, p99 {p99:.0f} ms"
            return max(rps), statistics.median(rps), text + (f", {failed} failed" if failed else "")

        argus_best, argus_median, argus_text = summary("argus")
        what = f"GET a finished report, {mode} ({load[mode.split()[0]]})"
        for peer in ("gin", "starlette"):
            best, median, text = summary(peer)
            ratio = f"{_ratio(argus_best, best)} / {_ratio(argus_median, median)}"
            rows.append([what, argus_text, peer, text, ratio])
            what, argus_text = "", ""
    return rows


def upload_rows(path: Path, rounds: int, runs: Runs) -> list[list[str]]:
    """`curl -T` to Argus ÷ the copy, the Go peer's modes, the hashing copy (throughput)."""
    from upload_rounds import UPLOAD_PEERS, rounds_in_a_fresh_dir

    times, cpu = rounds_in_a_fresh_dir(path, rounds, ["curl", *UPLOAD_PEERS])
    runs |= {("upload", n): [{"seconds": t} for t in ts] for n, ts in times.items()}
    runs |= {("upload server CPU s", n): [{"seconds": c} for c in cs] for n, cs in cpu.items()}
    megabytes = path.stat().st_size / 1e6

    def rate(name: str) -> str:
        text = f"{megabytes / statistics.median(times[name]):,.0f} MB/s"
        return text + (f", server {statistics.median(cpu[name]):.2f} CPU-s" if name in cpu else "")

    what, argus = f"upload a {megabytes:,.0f} MB drive log (curl -T, checksum)", rate("curl")
    rows: list[list[str]] = []
    for name, label in UPLOAD_PEERS.items():
        best = _ratio(min(times[name]), min(times["curl"]))
        median = _ratio(statistics.median(times[name]), statistics.median(times["curl"]))
        rows.append([what, argus, label, rate(name), f"{best} / {median}"])
        what, argus = "", ""
    return rows


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def busy_note(loads: tuple[float, float]) -> str:
    """The 1-minute load average around the run, and a warning when others were using the
    cores as it began (the end's includes this bench's own load): the threaded Argus contender
    then loses more than the one-thread peers."""
    note = f"load average {loads[0]:.1f} at the start, {loads[1]:.1f} at the end"
    cores = os.cpu_count() or 1
    if loads[0] > cores:
        note += f" — BUSY MACHINE (> {cores} cores' worth): ratios skewed, run again"
    return note


def markdown(rows: list[list[str]], rounds: int, loads: tuple[float, float]) -> str:
    from argus.infrastructure.parsing.native import default_threads

    head = ["path", "Argus (median)", "peer", "peer (median)", "ratio min / median"]
    lines = [
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine()}; "
        f"{rounds} interleaved rounds; Argus parses on {default_threads()} threads; "
        "ratio = Argus ÷ peer in throughput (> 1: Argus faster); " + busy_note(loads),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved runs per contender")
    parser.add_argument("--size-mb", type=int, default=500, help="each drive log's size")
    parser.add_argument("--only", choices=("parse", "http", "upload"), help="one part of the table")
    parser.add_argument("--requests", type=int, default=1000, help="ab -n")
    parser.add_argument("--concurrency", type=int, default=100, help="ab -c and wrk -c")
    parser.add_argument("--seconds", type=int, default=5, help="length of one wrk run")
    parser.add_argument(
        "--quick", action="store_true", help="20 MB and small dense logs, 1 round, short loads"
    )
    args = parser.parse_args()
    if args.only in (None, "parse"):
        require_fresh_native()  # the other parts do not time the core
    if args.only in (None, "upload"):
        from upload_go import build_go_upload

        build_go_upload()  # before the long parts: a failed build must not cost their rounds
    if args.quick:
        args.rounds, args.size_mb, args.requests, args.seconds = 1, 20, 200, 1
    load_at_start = os.getloadavg()[0]
    runs: Runs = {}
    rows: list[list[str]] = []
    mismatches: list[str] = []
    if args.only in (None, "parse"):
        files = parse_files(args.size_mb, args.quick)
        mismatches = parse_rounds(files, args.rounds, runs)
        rows += parse_rows(files, runs)
    if args.only in (None, "http"):
        from peer_http import http_rounds

        http: Runs = {}
        http_rounds(
            args.rounds, args, lambda mode, name, r: http.setdefault((mode, name), []).append(r)
        )
        rows += http_rows(http, args.requests, args.concurrency, args.seconds)
        runs.update(http)
    if args.only in (None, "upload"):
        rows += upload_rows(drive_log(args.size_mb), args.rounds, runs)
    table = markdown(rows, args.rounds, (load_at_start, os.getloadavg()[0]))
    print("\n" + table)
    LATEST.with_suffix(".md").write_text(table + "\n")
    raw = {f"{row} | {name}": results for (row, name), results in runs.items()}
    LATEST.with_suffix(".json").write_text(json.dumps(raw, indent=1))
    if mismatches:
        print("\nMISMATCHED COUNTS (these peers did not read what Argus read):")
        print("\n".join(mismatches))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
