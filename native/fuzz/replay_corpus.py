"""Replays fuzzer inputs through both engines and reports any summary that differs.

Usage: python native/fuzz/replay_corpus.py var/fuzz/corpus [more dirs or files…]
The fuzzer checks the core against itself; this checks it against the reference parser on the
inputs the fuzzer found interesting. Error messages are not compared (each engine words its own,
tests/native/builders.py:comparable); every summary is validated against the JSON Schema.
Exit status 1 when any input differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.native.builders import comparable, summaries


def main(paths: list[str]) -> int:
    files = sorted(
        f for p in map(Path, paths) for f in (p.iterdir() if p.is_dir() else [p]) if f.is_file()
    )
    differ = 0
    for path in files:
        expected, actual = summaries(path.read_bytes())
        if comparable(expected) != comparable(actual):
            differ += 1
            print(f"DIFFERS {path}")
    print(f"{len(files)} inputs: {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
