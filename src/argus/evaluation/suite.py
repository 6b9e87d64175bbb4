"""One evaluation end to end: a server (started here, or given), the suite, the results."""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import shutil
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from argus.evaluation.feedback_round import FeedbackRow, feedback_round
from argus.evaluation.output import EvalRun, write_results
from argus.evaluation.results import BatchRow, aggregate
from argus.evaluation.runner import EvalOptions, EvalTokens, run_suite
from argus.evaluation.server import embedded_server

__all__ = ["default_out_dir", "evaluate"]


def default_out_dir(now: datetime | None = None) -> Path:
    """`var/eval/<UTC timestamp>`."""
    return Path("var") / "eval" / (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def evaluate(
    options: EvalOptions,
    *,
    out_dir: Path,
    url: str | None = None,
    tokens: EvalTokens | None = None,
    keep: bool = False,
    on_row: Callable[[BatchRow], None] = lambda _row: None,
) -> EvalRun:
    """Run the suite against `url` (as `tokens`), or a server started under `out_dir/server`;
    write results.

    Without `keep`, the generated batches and the started server's data are deleted once the
    results are written (they stay when the run fails, for its log).
    """
    started = datetime.now(UTC)
    # Unique per run, so a rerun against the same --url server opens new batches.
    run_tag = secrets.token_hex(3)
    work_dir, server_dir = out_dir / "batches", out_dir / "server"

    async def suite(base_url: str, who: EvalTokens) -> tuple[list[BatchRow], list[FeedbackRow]]:
        rows = await run_suite(
            base_url, options, work_dir=work_dir, run_tag=run_tag, on_row=on_row, token=who.vehicle
        )
        if not options.feedback:
            return rows, []
        return rows, await feedback_round(
            base_url, options, rows, work_dir=work_dir, run_tag=run_tag, tokens=who
        )

    if url is not None:
        rows, feedback = asyncio.run(suite(url, tokens or EvalTokens(None, None)))
    else:
        with embedded_server(
            server_dir,
            diagnoser=options.diagnoser,
            vehicle_id=options.vehicle_id,
            embedder=options.embedder,
        ) as (base_url, started_tokens):
            rows, feedback = asyncio.run(suite(base_url, started_tokens))
    run = EvalRun(
        started_at=started.strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine(),
        options={**asdict(options), "url": url},
        aggregates=aggregate(options.diagnoser, rows, embedder=options.embedder),
        rows=tuple(rows),
        feedback=tuple(feedback) if options.feedback else None,
    )
    write_results(run, out_dir)
    if not keep:
        shutil.rmtree(work_dir, ignore_errors=True)
        shutil.rmtree(server_dir, ignore_errors=True)
    return run


def machine() -> str:
    """The machine the numbers were measured on, in one line."""
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
