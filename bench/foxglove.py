"""Argus's native parser against foxglove's C++ MCAP reader, same files, same run.

Contenders, each a whole parse of the file in its own fresh process, timing only the parse:
- foxglove: bench/peers/foxglove_count.cpp, `McapReader::readMessages()` in file order,
  built once into var/bench/ against the read-only peer in ../shared/peers/foxglove-mcap-cpp;
- argus 1 thr and argus N thr: `NativeMcapParser(threads=1)` and the default thread count;
- zstd -d / lz4 -d (the zstd and lz4 files): the file's chunk payloads, frames end to end, as
  in bench/parse.py, one thread — the floor of any reader of those chunks.
Rounds are interleaved (round 1 of every contender, then round 2, …) so drift on a noisy
machine hits all of them alike. Ratios are throughput ratios: > 1 means Argus is faster.

Usage: python bench/foxglove.py [--rounds 3] [--size-mb 500]
Files are generated once and cached in var/bench/ (generation is not timed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from parse import (
    CACHE,
    ROOT,
    chunk_payloads,
    dense_log,
    drive_log,
    generated_log,
    require_fresh_native,
    run_decompressor,
)

PEER_INCLUDE = ROOT.parent / "shared" / "peers" / "foxglove-mcap-cpp" / "include"
COUNTER_SOURCE = ROOT / "bench" / "peers" / "foxglove_count.cpp"
COUNTER = CACHE / "foxglove_count"


def lz4_drive_log(size_mb: int) -> Path:
    """The drive log of drive_log(size_mb), same seed and size, with lz4 chunks."""
    return generated_log(
        f"drive-{size_mb}mb-lz4.mcap", target_bytes=size_mb * 1_000_000, compression="lz4"
    )


def build_counter() -> Path:
    """Compile the foxglove counter once, again only if the source is newer."""
    if COUNTER.exists() and COUNTER.stat().st_mtime >= COUNTER_SOURCE.stat().st_mtime:
        return COUNTER
    if not PEER_INCLUDE.is_dir():
        raise SystemExit(f"the foxglove peer is missing: {PEER_INCLUDE}")
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"building {COUNTER.relative_to(ROOT)} …", flush=True)
    flags = ["-O2", "-std=c++17", "-I", str(PEER_INCLUDE)]
    sources = [str(COUNTER_SOURCE), "-o", str(COUNTER), "-lzstd", "-llz4"]
    subprocess.run(["g++", *flags, *sources], check=True)
    return COUNTER


def _json_of(argv: list[str]) -> dict[str, Any]:
    proc = subprocess.run(argv, stdout=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def run_foxglove(path: Path) -> dict[str, Any]:
    return _json_of([str(COUNTER), str(path)])


def run_argus(threads: int | None, path: Path) -> dict[str, Any]:
    return _json_of([sys.executable, __file__, "--worker", str(threads or 0), str(path)])


def worker(threads: int, path: str) -> None:
    """Child process: one native parse, printed as the counter's JSON."""
    from argus.infrastructure.parsing.native import NativeMcapParser

    parser = NativeMcapParser(threads=threads or None)
    start = time.perf_counter()
    parsed = parser.parse(path)
    seconds = time.perf_counter() - start
    payload = sum(t.bytes for t in parsed.topics.values())
    print(json.dumps({"messages": parsed.message_count, "bytes": payload, "seconds": seconds}))


def bench(path: Path, rounds: int, *, codec: str | None) -> None:
    """`codec`: "zstd" or "lz4" to time `zstd -d`/`lz4 -d` of the chunk payloads too."""
    from argus.infrastructure.parsing.native import default_threads

    size = path.stat().st_size
    argus_n = f"argus {default_threads()} thr"
    contenders: dict[str, Callable[[], dict[str, Any]]] = {
        "foxglove": lambda: run_foxglove(path),
        "argus 1 thr": lambda: run_argus(1, path),
        argus_n: lambda: run_argus(None, path),
    }
    tool = f"{codec} -d" if codec else ""
    if codec:
        payloads, _, _ = chunk_payloads(path)
        contenders[tool] = lambda: run_decompressor(payloads)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            runs[name].append(run())

    print(f"\n{path.name}: {size / 1e6:,.0f} MB, {rounds} interleaved rounds")
    fox = runs["foxglove"][0]
    for name in ("argus 1 thr", argus_n):
        for r in runs[name]:
            if (r["messages"], r["bytes"]) != (fox["messages"], fox["bytes"]):
                print(
                    f"WARNING: {name} counted {r['messages']:,} messages / {r['bytes']:,} bytes, "
                    f"foxglove {fox['messages']:,} / {fox['bytes']:,}"
                )
                break
    print(f"messages: {fox['messages']:,} (foxglove), payload {fox['bytes'] / 1e6:,.0f} MB")
    times = {name: [float(r["seconds"]) for r in rs] for name, rs in runs.items()}
    best = {name: min(ts) for name, ts in times.items()}
    median = {name: statistics.median(ts) for name, ts in times.items()}
    header = f"{'contender':<14}{'min s':>8}{'med s':>8}{'MB/s min':>10}{'MB/s med':>10}"
    print(header + f"{'÷fox min':>10}{'÷fox med':>10}" + (f"  ÷{codec} min/med" if codec else ""))
    for name in contenders:
        line = (
            f"{name:<14}{best[name]:8.3f}{median[name]:8.3f}"
            f"{size / best[name] / 1e6:10.0f}{size / median[name] / 1e6:10.0f}"
        )
        if name.startswith("argus"):
            line += (
                f"{best['foxglove'] / best[name]:10.2f}{median['foxglove'] / median[name]:10.2f}"
            )
            if codec:
                line += f"  {best[tool] / best[name]:.2f} / {median[tool] / median[name]:.2f}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved runs per contender")
    parser.add_argument("--size-mb", type=int, default=500, help="drive log size")
    parser.add_argument("--worker", nargs=2, metavar=("THREADS", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(int(args.worker[0]), args.worker[1])
        return
    require_fresh_native()
    build_counter()
    files = [
        (drive_log(args.size_mb), "zstd"),
        (lz4_drive_log(args.size_mb), "lz4"),
        (dense_log(), None),
    ]
    print("throughput ratios: argus ÷ foxglove and argus ÷ zstd -d / lz4 -d (> 1 = argus faster)")
    for path, codec in files:
        bench(path, args.rounds, codec=codec)


if __name__ == "__main__":
    main()
