"""`argus parse` and the help pages without typer, pydantic or rich: a command that starts at once.

typer builds its commands from type hints and coerces each parameter through pydantic; importing
it and running one command cost ~0.3-0.5 s of a process here, more than parsing a 74 MB log
(docs/decisions/0033-cli-fast-path.md). This path answers, with argparse, only what it can answer
as the typer command does: `argus`, `argus --help`, `argus parse --help` and a well-formed
`argus parse FILE [--json] [--engine E] [--threads N]`. It declines everything else (another
command, a usage error, an engine that is not built): typer answers those, with its own messages
and exit codes.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from argus.cli import parse_summary as summary

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import NoReturn

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
# typer shows the top-level help with exit code 2 when `argus` is given no arguments.
NO_ARGS_EXIT = 2


class _Declined(Exception):
    """The arguments are not for this path: typer answers them."""


class _Parser(argparse.ArgumentParser):
    """An argparse parser that hands a usage error to typer instead of printing its own."""

    def error(self, message: str) -> NoReturn:
        raise _Declined(message)


def _top_help() -> str:
    """`argus --help`: argparse's usage and options, then the command table typer would show."""
    parser = _Parser(
        prog="argus",
        usage="%(prog)s [--help] COMMAND [ARGS]...",
        description=DESCRIPTION,
        add_help=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--help", action="store_true", help=HELP_OPTION_HELP)
    import shutil
    import textwrap

    indent = 2 + max(len(name) for name, _ in COMMANDS) + 2
    width = max(shutil.get_terminal_size().columns - 2, indent + 20)
    rows = [
        textwrap.fill(
            text, width, initial_indent=f"  {name:<{indent - 4}}  ", subsequent_indent=" " * indent
        )
        for name, text in COMMANDS
    ]
    return parser.format_help() + "\ncommands:\n" + "\n".join(rows) + "\n"


def _parse_parser() -> _Parser:
    parser = _Parser(
        prog="argus parse",
        usage="%(prog)s [--json] [--engine {auto,native,python}] [--threads N] [--help] FILE",
        description=summary.COMMAND_HELP,
        add_help=False,
        allow_abbrev=False,
    )
    # FILE is optional here only so that `argus parse --help` needs none; a missing FILE declines.
    parser.add_argument("file", nargs="?", metavar="FILE", help=summary.FILE_HELP)
    parser.add_argument("--json", dest="as_json", action="store_true", help=summary.JSON_HELP)
    parser.add_argument(
        "--engine",
        choices=summary.ENGINES,
        default=summary.DEFAULT_ENGINE,
        help=f"{summary.ENGINE_HELP} [default: {summary.DEFAULT_ENGINE}]",
    )
    parser.add_argument(
        "--threads", metavar="N", help=f"{summary.THREADS_HELP} [1<=N<={summary.MAX_THREADS}]"
    )
    parser.add_argument("--help", action="store_true", help=HELP_OPTION_HELP)
    return parser


def _threads(text: str | None) -> int | None:
    """`--threads` as typer would take it; decline anything that is not plain digits in range."""
    if text is None:
        return None
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= summary.MAX_THREADS):
        raise _Declined(f"--threads {text!r}")
    return int(text)


def _answer_parse(args: Sequence[str]) -> int:
    from pathlib import Path

    parser = _parse_parser()
    options = parser.parse_args(args)
    if options.help:
        parser.print_help()
        return 0
    threads = _threads(options.threads)
    if options.file is None or summary.engine_problem(options.engine) is not None:
        raise _Declined("no FILE, or an engine that cannot run")
    file = Path(options.file)
    return summary.summarise(file, as_json=options.as_json, engine=options.engine, threads=threads)


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
