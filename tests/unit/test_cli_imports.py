"""`argus --help` and `argus parse` pay only for what they use: counted in the modules loaded.

Each case runs the real command in a fresh interpreter and lists `sys.modules` at exit; the web,
messaging, storage and database stacks must not be among them (decision 0029).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.unit.python_parser_support import ROS2_DIR

ROS2_BAG = ROS2_DIR / "talker.mcap"

# Top-level packages a command that parses one local file has no use for.
HEAVY = (
    "aiobotocore",
    "botocore",
    "aiohttp",
    "fastapi",
    "starlette",
    "uvicorn",
    "asyncpg",
    "redis",
    "aiokafka",
    "httpx",
    "sqlalchemy",
    "argus.bootstrap",
    "argus.entrypoints",
    "argus.interfaces.http.app",
)

_PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.__stderr__.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
sys.argv = ["argus", *json.loads(sys.argv[1])]
from argus.cli import main
main()
"""


def loaded_by(*args: str) -> set[str]:
    """The modules loaded by `argus ARGS` (the command runs for real)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(list(args))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("parse", "--help"),
        ("parse", str(ROS2_BAG), "--json"),
        ("parse", str(ROS2_BAG), "--json", "--engine", "python"),
    ],
    ids=["help", "parse-help", "parse-json", "parse-python"],
)
def test_the_command_loads_no_server_stack(args: tuple[str, ...]) -> None:
    assert heavy_in(loaded_by(*args)) == []


def test_the_probe_sees_the_stack_when_a_command_loads_it() -> None:
    # The check can fail: `argus config` reads the settings tree, which knows every adapter.
    modules = loaded_by("config", "--json")
    assert "argus.config" in modules
    assert "pydantic_settings" in modules


def test_help_loads_neither_an_engine_nor_the_settings() -> None:
    modules = loaded_by("--help")
    assert not {"argus.config", "argus.infrastructure.parsing.native", "mcap"} & modules


def test_parse_with_the_native_engine_does_not_load_the_python_reader() -> None:
    pytest.importorskip("argus._native")
    modules = loaded_by("parse", str(ROS2_BAG), "--json")
    assert "argus._native" in modules
    assert "argus.infrastructure.parsing.python_mcap" not in modules
    assert "mcap" not in modules
    assert "rich.table" not in modules  # --json prints JSON, not a table
