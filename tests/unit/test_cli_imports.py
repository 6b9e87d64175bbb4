"""`argus --help` and `argus parse` pay only for what they use: counted in the modules loaded.

Each case runs the real command in a fresh interpreter and lists `sys.modules` at exit; the web,
messaging, storage and database stacks must not be among them (decision 0029), nor, for `parse`
and the help pages, typer, pydantic and rich (the fast path, decision 0033).
"""

from __future__ import annotations

import pytest

from tests.unit.cli_support import run_argus
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
# What the fast path (cli/fast_path.py, decision 0033) answers without: the typer stack.
COMMAND_FRAMEWORK = ("typer", "click", "pydantic", "pydantic_core", "rich", "argus.cli.typer_app")


def loaded_by(*args: str) -> frozenset[str]:
    """The modules loaded by `argus ARGS` (the command runs for real)."""
    ran = run_argus(*args)
    assert ran.code == 0, ran.stderr
    return ran.modules


def heavy_in(modules: frozenset[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


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


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--help",),
        ("parse", "--help"),
        ("parse", str(ROS2_BAG), "--json"),
        ("parse", str(ROS2_BAG), "--json", "--engine", "python", "--threads", "2"),
        ("parse", "/no/such/file.mcap"),
    ],
    ids=["no-args", "help", "parse-help", "parse-json", "parse-python", "parse-missing"],
)
def test_parse_and_the_help_pages_load_no_command_framework(args: tuple[str, ...]) -> None:
    assert heavy_in(run_argus(*args).modules, COMMAND_FRAMEWORK) == []


def test_the_parse_table_loads_rich_but_not_typer() -> None:
    modules = loaded_by("parse", str(ROS2_BAG))
    assert {"rich.console", "rich.table"} <= modules
    assert heavy_in(modules, tuple(h for h in COMMAND_FRAMEWORK if h != "rich")) == []


def test_a_command_the_fast_path_declines_loads_typer() -> None:
    # The check above can fail: a usage error is typer's to answer, so typer is loaded.
    ran = run_argus("parse", str(ROS2_BAG), "--engine", "cobol")
    assert ran.code == 2
    assert {"typer", "argus.cli.typer_app"} <= ran.modules


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
