"""How fast the `argus` command starts and parses, whole process, against `python -c pass`.

Contenders, each a fresh process timed from spawn to exit (wall clock), rounds interleaved:
- python -c pass: the interpreter's own start, the floor for any Python command;
- argus --help, argus parse --help;
- argus parse SMALL --json (a real ROS 2 bag, ../shared/data/mcap/ros2/talker.mcap) and
  argus parse DENSE --json (bench/parse.py's dense log), with the default engine (auto);
- foxglove DENSE: foxglove's counter (bench/peers/foxglove_count.cpp), whole process.
Prints the median and min of each, and for the dense log the whole-process ratio
foxglove ÷ argus (> 1 means argus is faster). `python -X importtime -m argus --help` shows where
the remaining start-up time goes.

With `--old-src DIR` (an older tree's `src`, e.g. `git archive REV src | tar -x -C /tmp/old`),
the same commands also run from that tree, interleaved: before and after in one run.

Usage: python bench/cli_start.py [--rounds 11] [--no-dense] [--old-src DIR]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from parse import ROOT, dense_log

SMALL = ROOT.parent / "shared" / "data" / "mcap" / "ros2" / "talker.mcap"
# Runs `argus` from another tree: the editable install's import hook would otherwise win.
_FROM_TREE = (
    "import runpy, sys; "
    "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
    "sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'argus'; "
    "runpy.run_module('argus', run_name='__main__')"
)


def wall(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11, help="interleaved runs per contender")
    parser.add_argument("--no-dense", action="store_true", help="skip the dense log")
    parser.add_argument("--old-src", type=Path, help="also run argus from this tree's src")
    args = parser.parse_args()
    script = Path(sys.executable).with_name("argus")
    argus = [str(script)] if script.exists() else [sys.executable, "-m", "argus"]
    contenders = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "argus --help": [*argus, "--help"],
        "argus parse --help": [*argus, "parse", "--help"],
        "argus parse SMALL --json": [*argus, "parse", str(SMALL), "--json"],
    }
    if args.old_src:
        old = [sys.executable, "-c", _FROM_TREE, str(args.old_src.resolve())]
        contenders["old: argus --help"] = [*old, "--help"]
        contenders["old: argus parse SMALL --json"] = [*old, "parse", str(SMALL), "--json"]
    if not args.no_dense:
        from foxglove import build_counter

        dense = dense_log()
        contenders["argus parse DENSE --json"] = [*argus, "parse", str(dense), "--json"]
        contenders["foxglove DENSE"] = [str(build_counter()), str(dense)]
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for argv in contenders.values():  # warm the page cache, untimed
        wall(argv)
    for _ in range(args.rounds):
        for name, argv in contenders.items():
            times[name].append(wall(argv))
    base = statistics.median(times["python -c pass"])
    print(f"whole process, wall s ({args.rounds} interleaved rounds)")
    print(f"{'contender':<32}{'median':>9}{'min':>9}{'- python':>10}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<32}{med:9.3f}{min(ts):9.3f}{med - base:10.3f}")
    if "foxglove DENSE" in times:
        fox, ours = times["foxglove DENSE"], times["argus parse DENSE --json"]
        ratio = statistics.median(fox) / statistics.median(ours)
        print(
            f"dense log, foxglove ÷ argus whole process: median {ratio:.2f}, "
            f"min {min(fox) / min(ours):.2f}"
        )


if __name__ == "__main__":
    main()
