"""`argus parse FILE`: summarise one drive log with a parser engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from argus.domain.parsed_file import ParsedFile
from argus.infrastructure.parsing import NativeMcapParser, PythonMcapParser, native_available

_ENGINES = ("python", "native")
_MAX_ROWS = 10


def _offset(t_ns: int, parsed: ParsedFile) -> str:
    # Seconds into the file read better than 19-digit epoch nanoseconds.
    return f"+{(t_ns - (parsed.start_ns or 0)) / 1e9:8.3f} s"


def _render(path: Path, parsed: ParsedFile, console: Console) -> None:
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
            str, typer.Option(help="Parser engine: python (the reference) or native (C++).")
        ] = "python",
        threads: Annotated[
            int | None,
            typer.Option(
                min=1, max=64, help="native: threads decompressing chunks (default: one per core)."
            ),
        ] = None,
    ) -> None:
        """Summarise one drive log; exit 0 even when the file has errors, 2 if it is missing."""
        if engine not in _ENGINES:
            raise typer.BadParameter(f"unknown engine {engine!r}; known: {', '.join(_ENGINES)}")
        if engine == "native" and not native_available():
            raise typer.BadParameter("the native engine is not built (argus._native is missing)")
        if not file.is_file():
            Console(stderr=True).print(f"[red]no such file:[/red] {file}")
            raise typer.Exit(code=2)
        parser = PythonMcapParser() if engine == "python" else NativeMcapParser(threads=threads)
        parsed = parser.parse(file)
        if as_json:
            typer.echo(json.dumps(parsed.to_dict(), indent=2))
        else:
            _render(file, parsed, Console())
