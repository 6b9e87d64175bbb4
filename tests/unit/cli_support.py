"""Runs the real `argus` command in a fresh interpreter: its exit code, output and the modules
it loaded (tests/unit/test_cli_imports.py and test_cli_fast_path.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

# `main`: the console script (`argus.cli:main`, fast path first); `typer`: the typer app alone.
_ENTRY = {
    "main": "from argus.cli import main; main()",
    "typer": "from argus.cli.typer_app import app; app()",
}
_PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.__stderr__.write("\\nMODULES " + json.dumps(sorted(sys.modules))))
sys.argv = ["argus", *json.loads(sys.argv[1])]
"""


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str  # without the probe's line
    modules: frozenset[str]


def run_argus(*args: str, via: str = "main", stdout: int = subprocess.PIPE) -> Ran:
    """`argus ARGS` run for real through `via` (`main` or `typer`)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE + _ENTRY[via], json.dumps(list(args))],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    stderr, _, modules = done.stderr.rpartition("\nMODULES ")
    return Ran(done.returncode, done.stdout or "", stderr, frozenset(json.loads(modules)))
