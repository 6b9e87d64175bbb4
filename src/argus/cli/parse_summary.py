"""What `argus parse FILE` does, without typer: shared by the typer command and the fast path.

`cli/parse_cmd.py` declares the command for typer, `cli/fast_path.py` answers it with argparse;
both take their option help and their behaviour from here, so the two cannot drift. The engine
and rich are imported when a file is parsed (and `--json` never loads rich): the command pays
only for what it uses (docs/decisions/0029-*.md, 0033-*.md).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

    from argus.domain.parsed_file import ParsedFile
    from argus.infrastructure.parsing.native import NativeMcapParser
    from argus.infrastructure.parsing.python_mcap import PythonMcapParser

ENGINES = ("auto", "native", "python")
DEFAULT_ENGINE = "auto"
MAX_THREADS = 64  # as the native core clamps it
COMMAND_HELP = (
    "Summarise one drive log; exit 0 even when the file has errors, 1 if it cannot be read, "
    "2 if it is missing."
)
FILE_HELP = "MCAP file to summarise."
JSON_HELP = "Print the ParsedFile JSON summary."
ENGINE_HELP = (
    "Parser engine: native (C++), python (the reference), or auto: native when it is built, "
    "else python. The JSON's `engine` says which one ran."
)
THREADS_HELP = "native: threads decompressing chunks (default: one per core)."
MISSING_FILE_EXIT = 2
UNREADABLE_FILE_EXIT = 1
_MAX_ROWS = 10


def engine_problem(name: str) -> str | None:
    """Why `--engine name` cannot run here (a usage error), or None."""
    if name not in ENGINES:
        return f"unknown engine {name!r}; known: {', '.join(ENGINES)}"
    if name == "native":
        from argus.infrastructure.parsing.native import native_available

        if not native_available():
            return "the native engine is not built (argus._native is missing)"
    return None


def make_engine(name: str, threads: int | None) -> NativeMcapParser | PythonMcapParser:
    """`auto`: the C++ core when it is built, else the Python reference (`name` is usable)."""
    if name != "python":
        from argus.infrastructure.parsing.native import NativeMcapParser, native_available

        if native_available():
            return NativeMcapParser(threads=threads)
    from argus.infrastructure.parsing.python_mcap import PythonMcapParser

    return PythonMcapParser()


def summarise(file: str | Path, *, as_json: bool, engine: str, threads: int | None) -> int:
    """Parse `file` and print its summary; the exit code (the engine must be usable)."""
    parser = make_engine(engine, threads)
    if not os.path.isfile(file):  # an existing file, the usual case, needs no pathlib import
        from pathlib import Path

        file = Path(file)  # how typer reads it: "logs//a.mcap/" is "logs/a.mcap"
        if not file.is_file():
            print(f"no such file: {file}", file=sys.stderr)
            return MISSING_FILE_EXIT
    try:
        parsed = parser.parse(file)
    except OSError as exc:  # EIO, EACCES, EISDIR...: a message, not a traceback (either engine)
        print(f"cannot read {file}: {exc.strerror or exc}", file=sys.stderr)
        return UNREADABLE_FILE_EXIT
    if as_json:
        import json

        print(json.dumps(parsed.to_dict(), indent=2))
    else:
        from rich.console import Console

        _render(os.path.basename(file), parsed, Console())
    return 0


def _offset(t_ns: int, parsed: ParsedFile) -> str:
    # Seconds into the file read better than 19-digit epoch nanoseconds.
    return f"+{(t_ns - (parsed.start_ns or 0)) / 1e9:8.3f} s"


def _render(name: str, parsed: ParsedFile, console: Console) -> None:
    from rich.table import Table

    span = "-"
    if parsed.start_ns is not None and parsed.end_ns is not None:
        span = f"{(parsed.end_ns - parsed.start_ns) / 1e9:.1f} s"
    state = "complete" if parsed.complete else "[red]INCOMPLETE[/red]"
    console.print(f"[bold]{name}[/bold]: {state}, {parsed.message_count} messages, {span}")
    table = Table("topic", "schema", "count", "MB", "rate Hz", "max gap s")
    for name in sorted(parsed.topics):
        stats = parsed.topics[name]
        gap = "-" if stats.max_gap is None else f"{stats.max_gap.duration_ns / 1e9:.3f}"
        table.add_row(
            name,
            stats.schema,
            str(stats.count),
            f"{stats.bytes / 1e6:.2f}",
            f"{stats.mean_rate_hz:.1f}",
            gap,
        )
    console.print(table)
    levels = ", ".join(f"{level} {count}" for level, count in parsed.log_levels.items())
    console.print(f"log levels: {levels}")
    for event in parsed.log_events[:_MAX_ROWS]:
        console.print(
            f"  {_offset(event.t_ns, parsed)} {event.level} [{event.node}] {event.message}",
            markup=False,
            highlight=False,
        )
    for diag in parsed.diagnostic_events[:_MAX_ROWS]:
        console.print(
            f"  {_offset(diag.t_ns, parsed)} {diag.level} {diag.name}: {diag.message}",
            markup=False,
            highlight=False,
        )
    shown = min(len(parsed.log_events), _MAX_ROWS) + min(len(parsed.diagnostic_events), _MAX_ROWS)
    hidden = len(parsed.log_events) + len(parsed.diagnostic_events) - shown
    if hidden or parsed.dropped_events:
        console.print(f"  … {hidden} more events, {parsed.dropped_events} dropped by the caps")
    for error in parsed.errors:
        console.print(
            f"[yellow]error[/yellow] {error.kind} at byte {error.offset} "
            f"({error.record}): {error.message}",
            highlight=False,
        )
