"""Per-file fixed cost: small real ROS 2 bags, Argus's engines against foxglove's C++ reader.

Each contender runs in its own process and parses one file REPEAT times (timing only the loop;
a µs cost is below one process's timer noise) and prints the mean per parse:
- foxglove: bench/peers/foxglove_count.cpp with REPEAT, open + readMessages() in file order;
- argus 1 thr / argus N thr: `NativeMcapParser(threads=1)` and the default thread count, the
  whole `parse(path)` (open, read, summary, the ParsedFile object);
- argus python: the reference engine, same call.
Rounds are interleaved (every contender on every file, then again); the table shows medians and
the ratio foxglove ÷ argus (> 1 means Argus is faster). Files: ../shared/data/mcap/ros2, or
`--files` (e.g. bench/parse.py's drive logs: a parser worker's steady state, every buffer and
context warm). `--baseline PYTHON` adds the same two native contenders run by another
interpreter (another build of argus._native, e.g. main's venv), so a change to the core is
measured against what it replaces in the same run; `--no-python` leaves out the reference
engine (seconds per parse on large files); `--open` hands every Argus engine an open file instead
of a path, as the parser workers get it from the local blob store (foxglove reads the path).

Usage: python bench/small_files.py [--rounds 5] [--repeat 300] [--files F ...]
                                   [--baseline PYTHON] [--no-python] [--open]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from foxglove import _json_of, build_counter
from parse import ROOT, require_fresh_native

ROS2 = ROOT.parent / "shared" / "data" / "mcap" / "ros2"


def worker(engine: str, repeat: int, path: str) -> None:
    """Child process: `repeat` parses of one file, the mean printed as the counter's JSON.
    An engine ending in "+open" parses an open file object instead of the path."""
    from argus.domain.parsed_file import ParsedFile
    from argus.infrastructure.parsing.native import NativeMcapParser
    from argus.infrastructure.parsing.python_mcap import PythonMcapParser

    engine, opened = engine.removesuffix("+open"), engine.endswith("+open")
    parser: NativeMcapParser | PythonMcapParser
    if engine == "python":
        parser = PythonMcapParser()
    else:
        parser = NativeMcapParser(threads=int(engine) or None)

    def parse_once() -> ParsedFile:
        if not opened:
            return parser.parse(path)
        with open(path, "rb") as stream:
            return parser.parse(stream)

    parsed = parse_once()  # warm: the first parse loads the code
    start = time.perf_counter()
    for _ in range(repeat):
        parsed = parse_once()
    seconds = (time.perf_counter() - start) / repeat
    payload = sum(t.bytes for t in parsed.topics.values())
    print(json.dumps({"messages": parsed.message_count, "bytes": payload, "seconds": seconds}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved runs per contender")
    parser.add_argument("--repeat", type=int, default=300, help="parses per run")
    parser.add_argument("--files", nargs="+", type=Path, help="MCAP files (default: ros2 bags)")
    parser.add_argument("--baseline", help="another interpreter whose argus._native to time too")
    parser.add_argument("--no-python", action="store_true", help="leave out the Python engine")
    parser.add_argument("--open", action="store_true", help="parse open files, not paths")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args.worker[2])
        return
    require_fresh_native()  # here, not in a worker: --baseline's is another build
    from argus.infrastructure.parsing.native import default_threads

    counter = str(build_counter())
    files = args.files or sorted(ROS2.glob("*.mcap"))
    me, n = [sys.executable, __file__, "--worker"], str(args.repeat)
    mode = "+open" if args.open else ""
    threads = default_threads()
    contenders: dict[str, Callable[[Path], list[str]]] = {
        "foxglove": lambda p: [counter, str(p), n],
        "argus 1 thr": lambda p: [*me, "1" + mode, n, str(p)],
        f"argus {threads} thr": lambda p: [*me, "0" + mode, n, str(p)],
    }
    if args.baseline:
        base = [args.baseline, __file__, "--worker"]
        contenders["base 1 thr"] = lambda p: [*base, "1" + mode, n, str(p)]
        contenders[f"base {threads} thr"] = lambda p: [*base, "0" + mode, n, str(p)]
    if not args.no_python:
        contenders["argus python"] = lambda p: [*me, "python" + mode, n, str(p)]
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for _ in range(args.rounds):
        for path in files:
            for name, argv in contenders.items():
                runs.setdefault((str(path), name), []).append(_json_of(argv(path)))

    print(f"per-file cost, µs (median of {args.rounds} interleaved runs of {n} parses each)")
    names = list(contenders)
    print(f"{'file':<24}{'msgs':>6}" + "".join(f"{c:>14}" for c in names) + "   fox ÷ argus")
    for path in files:
        med = {c: statistics.median(r["seconds"] for r in runs[(str(path), c)]) for c in names}
        fox = runs[(str(path), "foxglove")][0]
        for c in names[1:]:
            got = runs[(str(path), c)][0]
            if got["messages"] != fox["messages"]:
                print(
                    f"WARNING: {c} counted {got['messages']} messages, foxglove {fox['messages']}"
                )
        ratios = " / ".join(f"{med['foxglove'] / med[c]:.2f}" for c in names[1:])
        cells = "".join(f"{med[c] * 1e6:14.1f}" for c in names)
        print(f"{path.name:<24}{fox['messages']:>6}{cells}   {ratios}")
        if args.baseline:  # > 1: this build is faster than the baseline's
            kinds = ("1 thr", f"{threads} thr")
            speedups = (f"{med[f'base {t}'] / med[f'argus {t}']:.2f}" for t in kinds)
            print(f"{'':<30}base ÷ argus, 1 thr / {threads} thr: {' / '.join(speedups)}")


if __name__ == "__main__":
    main()
