"""`argus gen-scenario` and `argus scenarios`: the labeled scenario suite on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from argus.cli.gen_logs_cmd import Compression, parse_size

ALL = "all"


def register(app: typer.Typer) -> None:
    """Add the `gen-scenario` and `scenarios` commands to `app`."""

    @app.command("scenarios")
    def scenarios() -> None:
        """List the scenarios with their root-cause component and severity."""
        from argus.loggen.scenarios import SCENARIOS

        for s in SCENARIOS.values():
            component, severity = s.component or "varies", s.severity or "varies"
            typer.echo(f"{s.name:<24} {component:<10} {severity:<9} {s.summary}")

    @app.command("gen-scenario")
    def gen_scenario(
        scenario: Annotated[
            str, typer.Option(help=f"A scenario name (see `argus scenarios`) or {ALL!r}.")
        ],
        out: Annotated[
            Path, typer.Option(help="Directory for the batch; with 'all', one subdirectory each.")
        ],
        seed: Annotated[int, typer.Option(help="Same scenario and seed, same bytes.")] = 0,
        files: Annotated[int, typer.Option(min=1, help="Consecutive files per batch.")] = 2,
        size: Annotated[str, typer.Option(help="Approximate size of each file.")] = "2MB",
        compression: Annotated[
            Compression, typer.Option(help="Chunk compression.")
        ] = Compression.zstd,
    ) -> None:
        """Generate a labeled scenario batch (.mcap files and ground_truth.json)."""
        from argus.loggen.scenarios import SCENARIOS, generate_scenario

        if scenario != ALL and scenario not in SCENARIOS:
            raise typer.BadParameter(
                f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)} or {ALL}"
            )
        try:
            target_bytes = parse_size(size)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        names = list(SCENARIOS) if scenario == ALL else [scenario]
        for name in names:
            out_dir = out / name if scenario == ALL else out
            paths, truth = generate_scenario(
                out_dir,
                name,
                seed,
                files=files,
                size=target_bytes,
                compression=compression.value,
            )
            typer.echo(f"{name}: {truth.component} ({truth.severity}) -> {out_dir}")
            for path in paths:
                typer.echo(f"  {path}")
