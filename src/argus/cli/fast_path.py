"""`argus parse` and the help pages without typer, pydantic or rich: a command that starts at once.

typer builds its commands from type hints and coerces each parameter through pydantic; importing
it and running one command cost ~0.3-0.5 s of a process here, more than parsing a 74 MB log
(docs/decisions/0033-cli-fast-path.md). This path answers only what it can answer as the typer
command does: `argus`, `argus --help`, `argus parse --help` (laid out by argparse) and a
well-formed `argus parse FILE [--json] [--engine E] [--threads N]`. It declines everything else
(another command, a usage error, an engine that is not built): typer answers those, with its own
messages and exit codes.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from argus.cli import parse_summary as summary

if TYPE_CHECKING:
    from collections.abc import Sequence

DESCRIPTION = "Argus: vehicle drive logs to diagnoses."
HELP_OPTION_HELP = "Show this message and exit."
# `argus --help` lists the commands without importing them. The one-line help of each is typer's
# (its docstring or `help=`): tests/unit/test_cli_fast_path.py fails when the two disagree.
COMMANDS = (
    (
        "serve",
        "Embedded mode: PostgreSQL, Redis, parser workers and the API on :8080, until Ctrl-C.",
    ),
    ("ingestor", "Distributed mode: create, upload and complete batches; relays the outbox."),
    ("query", "Distributed mode: reports, batch status and live progress (SSE)."),
    ("orchestrator", "Distributed mode: drives every batch through its state machine."),
    ("parse", summary.COMMAND_HELP),
    ("gen-logs", "Generate realistic ROS 2 drive logs (MCAP) and print the paths written."),
    ("scenarios", "List the scenarios with their root-cause component and severity."),
    ("gen-scenario", "Generate a labeled scenario batch (.mcap files and ground_truth.json)."),
    ("load-demo", "Upload batch-101 to running services (distributed mode) and print its report."),
    ("demo", "Start the embedded stack, upload batch-101, print its diagnosis, keep serving."),
    ("config", "Print the effective settings (environment and defaults), secrets masked."),
    ("eval", "Upload every scenario × seed, score each report against its ground truth."),
    ("audit", "The newest audit rows: when, who, what, from where."),
    ("worker", "Run one worker role as its own process."),
    ("infra", "Local PostgreSQL and Redis servers for the distributed mode."),
    ("fleet", "Fleets: the tenants."),
    ("vehicle", "Vehicles: each belongs to one fleet."),
    ("token", "API tokens (shown once, stored hashed)."),
    ("llm", "A local language model for the diagnosis."),
)
_FLAGS = ("--json", "--help")
_VALUED = ("--engine", "--threads")
# typer shows the top-level help with exit code 2 when `argus` is given no arguments.
NO_ARGS_EXIT = 2


class _Declined(Exception):
    """The arguments are not for this path: typer answers them."""


def _top_help() -> str:
    """`argus --help`: argparse's usage and options, then the command table typer would show."""
    import argparse
    import shutil
    import textwrap

    parser = argparse.ArgumentParser(
        prog="argus",
        usage="%(prog)s [--help] COMMAND [ARGS]...",
        description=DESCRIPTION,
        add_help=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--help", action="store_true", help=HELP_OPTION_HELP)
    indent = 2 + max(len(name) for name, _ in COMMANDS) + 2
    width = max(shutil.get_terminal_size().columns - 2, indent + 20)
    rows = [
        textwrap.fill(
            text, width, initial_indent=f"  {name:<{indent - 4}}  ", subsequent_indent=" " * indent
        )
        for name, text in COMMANDS
    ]
    return parser.format_help() + "\ncommands:\n" + "\n".join(rows) + "\n"


def _parse_help() -> str:
    """`argus parse --help`, laid out by argparse from the options' help in cli/parse_summary."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="argus parse",
        usage="%(prog)s [--json] [--engine {auto,native,python}] [--threads N] [--help] FILE",
        description=summary.COMMAND_HELP,
        add_help=False,
    )
    parser.add_argument("file", metavar="FILE", help=summary.FILE_HELP)
    parser.add_argument("--json", action="store_true", help=summary.JSON_HELP)
    parser.add_argument(
        "--engine",
        choices=summary.ENGINES,
        help=f"{summary.ENGINE_HELP} [default: {summary.DEFAULT_ENGINE}]",
    )
    parser.add_argument(
        "--threads", metavar="N", help=f"{summary.THREADS_HELP} [1<=N<={summary.MAX_THREADS}]"
    )
    parser.add_argument("--help", action="store_true", help=HELP_OPTION_HELP)
    return parser.format_help()


def _scan(args: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """`argus parse ARGS` read as click reads them, for the forms this path takes: `--json`,
    `--help`, `--engine E`, `--threads N` (or `--name=value`), FILEs, `--` before a FILE that
    starts with `-`. Anything else declines. Not argparse: importing and building it cost more
    than the rest of the command's own code (decision 0033)."""
    options: dict[str, str] = {}
    files: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            files.extend(rest)
        elif arg in _FLAGS:
            options[arg] = ""
        elif arg.startswith("-") and arg != "-":
            name, equals, value = arg.partition("=")
            given = value if equals else next(rest, None)
            if name not in _VALUED or given is None:
                raise _Declined(arg)
            options[name] = given
        else:
            files.append(arg)
    return options, files


def _threads(text: str | None) -> int | None:
    """`--threads` as typer would take it; decline anything that is not plain digits in range."""
    if text is None:
        return None
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= summary.MAX_THREADS):
        raise _Declined(f"--threads {text!r}")
    return int(text)


def _answer_parse(args: Sequence[str]) -> int:
    options, files = _scan(args)
    if "--help" in options:  # shown whatever else is wrong, as click's eager --help
        sys.stdout.write(_parse_help())
        return 0
    engine = options.get("--engine", summary.DEFAULT_ENGINE)
    threads = _threads(options.get("--threads"))
    if len(files) != 1 or summary.engine_problem(engine) is not None:
        raise _Declined("not one FILE, or an engine that cannot run")
    as_json = "--json" in options
    return summary.summarise(files[0], as_json=as_json, engine=engine, threads=threads)


def answer(args: Sequence[str]) -> int | None:
    """Run `argus ARGS` if this path can: its exit code; None when typer must answer."""
    try:
        if not args or list(args) == ["--help"]:
            sys.stdout.write(_top_help())
            return 0 if args else NO_ARGS_EXIT
        if args[0] == "parse":
            code = _answer_parse(args[1:])
            sys.stdout.flush()  # a closed pipe shows here, not at the interpreter's exit
            return code
    except _Declined:
        return None
    except BrokenPipeError:  # `argus parse F --json | head`: end quietly with 1, as click does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return None
