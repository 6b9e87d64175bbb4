"""`argus eval`: the labeled scenario suite through the real pipeline, scored per diagnoser."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from argus.cli.gen_logs_cmd import parse_size

if TYPE_CHECKING:
    from rich.console import Console

    from argus.evaluation import BatchRow, EvalRun


@cache
def _console() -> Console:  # rich is imported when the command runs, not for `argus --help`
    from rich.console import Console

    return Console()


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
        embedder: Annotated[
            str,
            typer.Option(
                help="ARGUS_EMBEDDER of the server started: hashed, minilm, openai, or a comma "
                "list (one run each; results in OUT/<embedder>)."
            ),
        ] = "hashed",
        feedback: Annotated[
            bool,
            typer.Option(
                help="Then correct the first seed's wrong diagnoses and diagnose one more seed."
            ),
        ] = False,
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
        engineer_token_file: Annotated[
            Path | None,
            typer.Option(help="With --url --feedback: a file holding an engineer's token."),
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
            EvalTokens,
            ServerFailed,
            default_out_dir,
            evaluate,
            parse_embedders,
            parse_scenarios,
            parse_seeds,
        )
        from argus.loggen.scenarios import SCENARIOS

        try:
            embedders = parse_embedders(embedder)
            options = [
                EvalOptions(
                    scenarios=parse_scenarios(scenarios, list(SCENARIOS)),
                    seeds=parse_seeds(seeds),
                    diagnoser=diagnoser,
                    embedder=name,
                    feedback=feedback,
                    files=files,
                    size_bytes=parse_size(size),
                    concurrency=concurrency,
                )
                for name in embedders
            ]
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        root = out or default_out_dir()
        tokens = EvalTokens(_read(token_file), _read(engineer_token_file))
        runs = []
        for option in options:
            out_dir = root / option.embedder if len(options) > 1 else root
            where = url or f"a server started under {out_dir / 'server'}"
            _console().print(
                f"eval: {len(option.scenarios)} scenarios × {len(option.seeds)} seeds, "
                f"diagnoser {diagnoser}, embedder {option.embedder}, against {where}"
            )
            try:
                run = evaluate(
                    option, out_dir=out_dir, url=url, tokens=tokens, keep=keep, on_row=_progress
                )
            except ServerFailed as exc:
                typer.echo(f"argus eval: {exc}", err=True)
                raise typer.Exit(1) from exc
            print_run(run)
            _console().print(f"wrote {out_dir / 'eval.json'} and {out_dir / 'eval.md'}")
            runs.append(run)
        if len(runs) > 1:
            print_embedders(runs)


def _read(token_file: Path | None) -> str | None:
    return None if token_file is None else token_file.read_text().strip()


def _progress(row: BatchRow) -> None:
    verdict = "[green]right[/green]" if row.score.top1 else "[red]wrong[/red]"
    _console().print(
        f"  {row.scenario} seed {row.seed}: {row.component} ({row.severity}) {verdict} "
        f"in {row.latency_s:.1f} s"
    )


def print_run(run: EvalRun) -> None:
    """The suite's scores, then the feedback round's (per batch: the progress lines, eval.md)."""
    from rich.table import Table

    from argus.evaluation import FEEDBACK_COLUMNS, feedback_cells, feedback_row_cells

    agg = run.aggregates
    table = Table(title=f"Diagnoser {agg.diagnoser}, embedder {agg.embedder}")
    table.add_column("metric")
    table.add_column("value")
    for name, value in agg.cells().items():
        table.add_row(name, value)
    _console().print(table)
    if run.feedback is None:
        return
    after = Table(title="After feedback (first seed corrected, next seed diagnosed)")
    for column in FEEDBACK_COLUMNS:
        after.add_column(column)
    for row in run.feedback:
        after.add_row(*feedback_row_cells(row))
    _console().print(after)
    for name, value in feedback_cells(run.feedback).items():
        _console().print(f"{name}: {value}")


def print_embedders(runs: list[EvalRun]) -> None:
    """Retrieval side by side: one column per embedder."""
    from rich.table import Table

    from argus.evaluation import feedback_cells

    table = Table(title="Retrieval by embedder")
    table.add_column("metric")
    for run in runs:
        table.add_column(run.aggregates.embedder)
    cells = [run.aggregates.cells() for run in runs]
    for name in ("retrieval hit@3", "top-1", "latency p50/max"):
        table.add_row(name, *(c[name] for c in cells))
    if all(run.feedback is not None for run in runs):
        fed = [feedback_cells(run.feedback or ()) for run in runs]
        for name in fed[0]:
            table.add_row(name, *(f.get(name, "") for f in fed))
    _console().print(table)
