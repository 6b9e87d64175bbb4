"""`argus parse FILE`: summarise one drive log with a parser engine.

The engine and rich are imported when the command runs (and `--json` never loads rich): the
command pays only for what it uses (docs/decisions/0029-fast-cli-and-per-file-cost.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from argus.domain.parsed_file import ParsedFile
    from argus.infrastructure.parsing.native import NativeMcapParser
    from argus.infrastructure.parsing.python_mcap import PythonMcapParser

_ENGINES = ("auto", "native", "python")
_MAX_ROWS = 10


def _offset(t_ns: int, parsed: ParsedFile) -> str:
    # Seconds into the file read better than 19-digit epoch nanoseconds.
    return f"+{(t_ns - (parsed.start_ns or 0)) / 1e9:8.3f} s"


def _engine(name: str, threads: int | None) -> NativeMcapParser | PythonMcapParser:
    """`auto`: the C++ core when it is built, else the Python reference."""
    if name not in _ENGINES:
        raise typer.BadParameter(f"unknown engine {name!r}; known: {', '.join(_ENGINES)}")
    if name == "python":
        from argus.infrastructure.parsing.python_mcap import PythonMcapParser

        return PythonMcapParser()
    from argus.infrastructure.parsing.native import NativeMcapParser, native_available

    if native_available():
        return NativeMcapParser(threads=threads)
    if name == "native":
        raise typer.BadParameter("the native engine is not built (argus._native is missing)")
    return _engine("python", threads)


def _render(path: Path, parsed: ParsedFile, console: Console) -> None:
    from rich.table import Table

    span = "-"
    if parsed.start_ns is not None and parsed.end_ns is not None:
        span = f"{(parsed.end_ns - parsed.start_ns) / 1e9:.1f} s"
    state = "complete" if parsed.complete else "[red]INCOMPLETE[/red]"
    console.print(f"[bold]{path.name}[/bold]: {state}, {parsed.message_count} messages, {span}")
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


def register(app: typer.Typer) -> None:
    """Add the `parse` command to `app`."""

    @app.command("parse")
    def parse(
        file: Annotated[Path, typer.Argument(help="MCAP file to summarise.")],
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the ParsedFile JSON summary.")
        ] = False,
        engine: Annotated[
            str,
            typer.Option(
                help="Parser engine: native (C++), python (the reference), or auto: native "
                "when it is built, else python. The JSON's `engine` says which one ran."
            ),
        ] = "auto",
        threads: Annotated[
            int | None,
            typer.Option(
                min=1, max=64, help="native: threads decompressing chunks (default: one per core)."
            ),
        ] = None,
    ) -> None:
        """Summarise one drive log; exit 0 even when the file has errors, 2 if it is missing."""
        parser = _engine(engine, threads)
        if not file.is_file():
            typer.echo(f"no such file: {file}", err=True)
            raise typer.Exit(code=2)
        parsed = parser.parse(file)
        if as_json:
            import json

            typer.echo(json.dumps(parsed.to_dict(), indent=2))
        else:
            from rich.console import Console

            _render(file, parsed, Console())
