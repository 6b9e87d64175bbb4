"""`argus eval`: the labeled scenario suite through the real pipeline, scored per diagnoser."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from argus.cli.gen_logs_cmd import parse_size
from argus.loggen.scenarios import SCENARIOS

if TYPE_CHECKING:
    from argus.evaluation import BatchRow, EvalRun

console = Console()


def register(app: typer.Typer) -> None:
    """Add the `eval` command to `app`."""

    @app.command("eval")
    def eval_(
        scenarios: Annotated[
            str, typer.Option(help="Comma-separated scenario names (see `argus scenarios`) or all.")
        ] = "all",
        seeds: Annotated[
            str, typer.Option(help="A count N (seeds 1..N) or a comma-separated list of seeds.")
        ] = "2",
        diagnoser: Annotated[
            str, typer.Option(help="ARGUS_DIAGNOSER of the server started: rules or llm.")
        ] = "rules",
        out: Annotated[
            Path | None,
            typer.Option(help="Where eval.json and eval.md go. Default: var/eval/<timestamp>."),
        ] = None,
        url: Annotated[
            str | None, typer.Option(help="Use this running Argus instead of starting one.")
        ] = None,
        token_file: Annotated[
            Path | None,
            typer.Option(help="With --url: a file holding the token of vehicle veh-eval."),
        ] = None,
        files: Annotated[int, typer.Option(min=1, help="Files per batch.")] = 2,
        size: Annotated[str, typer.Option(help="Approximate size of each file.")] = "1MB",
        concurrency: Annotated[int, typer.Option(min=1, help="Batches in flight at once.")] = 3,
        keep: Annotated[
            bool, typer.Option(help="Keep the generated batches and the server's data.")
        ] = False,
    ) -> None:
        """Upload every scenario × seed, score each report against its ground truth."""
        # Imported here: argus.evaluation uses the CLI's HTTP client, whose package imports
        # this module.
        from argus.evaluation import (
            EvalOptions,
            ServerFailed,
            default_out_dir,
            evaluate,
            parse_scenarios,
            parse_seeds,
        )

        try:
            options = EvalOptions(
                scenarios=parse_scenarios(scenarios, list(SCENARIOS)),
                seeds=parse_seeds(seeds),
                diagnoser=diagnoser,
                files=files,
                size_bytes=parse_size(size),
                concurrency=concurrency,
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        out_dir = out or default_out_dir()
        where = url or f"a server started under {out_dir / 'server'}"
        console.print(
            f"eval: {len(options.scenarios)} scenarios × {len(options.seeds)} seeds, "
            f"diagnoser {diagnoser}, against {where}"
        )
        try:
            token = None if token_file is None else token_file.read_text().strip()
            run = evaluate(
                options, out_dir=out_dir, url=url, token=token, keep=keep, on_row=_progress
            )
        except ServerFailed as exc:
            typer.echo(f"argus eval: {exc}", err=True)
            raise typer.Exit(1) from exc
        _print_table(run)
        console.print(f"wrote {out_dir / 'eval.json'} and {out_dir / 'eval.md'}")


def _progress(row: BatchRow) -> None:
    verdict = "[green]right[/green]" if row.score.top1 else "[red]wrong[/red]"
    console.print(
        f"  {row.scenario} seed {row.seed}: {row.component} ({row.severity}) {verdict} "
        f"in {row.latency_s:.1f} s"
    )


def _print_table(run: EvalRun) -> None:
    # Per batch: the progress lines above and eval.md; the terminal gets the suite's scores.
    table = Table(title=f"Diagnoser {run.aggregates.diagnoser}")
    table.add_column("metric")
    table.add_column("value")
    for name, value in run.aggregates.cells().items():
        table.add_row(name, value)
    console.print(table)
