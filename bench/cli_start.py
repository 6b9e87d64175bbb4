"""How fast the `argus` command starts and parses, whole process, against foxglove's counter.

Contenders, each a fresh process timed from spawn to exit (wall clock), rounds interleaved:
- python -c pass: the interpreter's own start, the floor for any Python command;
- argus --help, argus parse --help (goal: ≤ 0.3 s each);
- argus parse SMALL --json (a real ROS 2 bag, ../shared/data/mcap/ros2/talker.mcap);
- for each of DENSE (bench/parse.py's message-dense log, 74 MB), ZSTD and LZ4 (1 GB drive logs
  with zstd and lz4 chunks, bench/parse.py's and bench/foxglove.py's): `argus parse FILE --json`
  with the default engine and threads, and foxglove's counter (bench/peers/foxglove_count.cpp)
  on the same file, whole process (goal: foxglove ÷ argus ≥ 0.8).
Prints the median and min of each, then the whole-process ratio foxglove ÷ argus per log
(> 1 means argus is faster). `python -X importtime -m argus parse FILE --json` shows where the
remaining start-up time goes.

The 1 GB logs are generated under var/bench/ when missing (not timed) and deleted at the end
unless --keep. With `--old-src DIR` (an older tree's `src`, e.g. `git archive REV src | tar -x -C
/tmp/old`), `--help`, `parse --help` and the dense parse also run from that tree, interleaved;
copy the built `argus/_native*.so` into DIR/argus, or the old tree parses with the Python engine.

Usage: python bench/cli_start.py [--rounds 7] [--logs dense,zstd,lz4] [--keep] [--old-src DIR]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from foxglove import build_counter, lz4_drive_log
from parse import ROOT, dense_log, drive_log, require_fresh_native

SMALL = ROOT.parent / "shared" / "data" / "mcap" / "ros2" / "talker.mcap"
BIG_MB = 1000
START_GOAL_S = 0.3
RATIO_GOAL = 0.8
# Runs `argus` from another tree: the editable install's import hook would otherwise win.
_FROM_TREE = (
    "import runpy, sys; "
    "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
    "sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'argus'; "
    "runpy.run_module('argus', run_name='__main__')"
)
_LOGS = {
    "dense": dense_log,
    "zstd": lambda: drive_log(BIG_MB),
    "lz4": lambda: lz4_drive_log(BIG_MB),
}


def wall(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def contenders(args: argparse.Namespace, logs: dict[str, Path]) -> dict[str, list[str]]:
    script = Path(sys.executable).with_name("argus")
    argus = [str(script)] if script.exists() else [sys.executable, "-m", "argus"]
    runs = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "argus --help": [*argus, "--help"],
        "argus parse --help": [*argus, "parse", "--help"],
        "argus parse SMALL --json": [*argus, "parse", str(SMALL), "--json"],
    }
    if args.old_src:
        if not any((args.old_src / "argus").glob("_native*")):
            print(f"warning: no argus/_native* in {args.old_src}: old parses use the Python engine")
        old = [sys.executable, "-c", _FROM_TREE, str(args.old_src.resolve())]
        runs["old: argus --help"] = [*old, "--help"]
        runs["old: argus parse --help"] = [*old, "parse", "--help"]
        if "dense" in logs:
            runs["old: argus parse DENSE --json"] = [*old, "parse", str(logs["dense"]), "--json"]
    counter = str(build_counter()) if logs else ""
    for name, path in logs.items():
        runs[f"argus parse {name.upper()} --json"] = [*argus, "parse", str(path), "--json"]
        runs[f"foxglove {name.upper()}"] = [counter, str(path)]
    return runs


def report(times: dict[str, list[float]], logs: dict[str, Path], rounds: int) -> None:
    base = statistics.median(times["python -c pass"])
    print(f"\nwhole process, wall s ({rounds} interleaved rounds)")
    print(f"{'contender':<34}{'median':>9}{'min':>9}{'- python':>10}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<34}{med:9.3f}{min(ts):9.3f}{med - base:10.3f}")
    for name in ("argus --help", "argus parse --help"):
        med = statistics.median(times[name])
        verdict = "met" if med <= START_GOAL_S else "NOT met"
        print(f"{name}: median {med:.3f} s, goal ≤ {START_GOAL_S} s {verdict}")
    for name, path in logs.items():
        fox, ours = times[f"foxglove {name.upper()}"], times[f"argus parse {name.upper()} --json"]
        ratio = statistics.median(fox) / statistics.median(ours)
        verdict = "met" if ratio >= RATIO_GOAL else "NOT met"
        print(
            f"{name} ({path.stat().st_size / 1e6:,.0f} MB), foxglove ÷ argus whole process: "
            f"median {ratio:.2f}, min {min(fox) / min(ours):.2f} (goal ≥ {RATIO_GOAL} {verdict})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved runs per contender")
    parser.add_argument("--logs", default="dense,zstd,lz4", help="comma-separated; '' for none")
    parser.add_argument("--keep", action="store_true", help="keep the 1 GB logs afterwards")
    parser.add_argument("--old-src", type=Path, help="also run argus from this tree's src")
    args = parser.parse_args()
    require_fresh_native()
    names = [name for name in args.logs.split(",") if name]
    logs = {name: _LOGS[name]() for name in names}
    try:
        runs = contenders(args, logs)
        times: dict[str, list[float]] = {name: [] for name in runs}
        for argv in runs.values():  # warm the page cache, untimed
            wall(argv)
        for _ in range(args.rounds):
            for name, argv in runs.items():
                times[name].append(wall(argv))
        report(times, logs, args.rounds)
    finally:
        if not args.keep:
            for name in ("zstd", "lz4"):
                if name in logs:
                    logs[name].unlink(missing_ok=True)


if __name__ == "__main__":
    main()
