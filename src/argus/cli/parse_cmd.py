"""`argus parse FILE` declared for typer: the options and their checks; the work is in
`cli/parse_summary.py`, which `cli/fast_path.py` answers the same command with, without typer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from argus.cli import parse_summary as summary


def register(app: typer.Typer) -> None:
    """Add the `parse` command to `app`."""

    @app.command("parse", help=summary.COMMAND_HELP)
    def parse(
        file: Annotated[Path, typer.Argument(help=summary.FILE_HELP)],
        as_json: Annotated[bool, typer.Option("--json", help=summary.JSON_HELP)] = False,
        engine: Annotated[str, typer.Option(help=summary.ENGINE_HELP)] = summary.DEFAULT_ENGINE,
        threads: Annotated[
            int | None, typer.Option(min=1, max=summary.MAX_THREADS, help=summary.THREADS_HELP)
        ] = None,
    ) -> None:
        problem = summary.engine_problem(engine)
        if problem is not None:
            raise typer.BadParameter(problem)
        code = summary.summarise(file, as_json=as_json, engine=engine, threads=threads)
        if code:
            raise typer.Exit(code=code)
