"""The `argus` command: entry points only start things; the work lives in the package."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import typer

from argus.cli.fast_path import DESCRIPTION

if TYPE_CHECKING:
    from argus.config import Settings

# This module is imported by every `argus ...` but `parse` and the help pages (cli/fast_path.py
# answers those): it imports typer and nothing else heavy at module level. Each command imports
# what it uses inside its body (docs/decisions/0029-*.md; tests/unit/test_cli_imports.py counts).

app = typer.Typer(help=DESCRIPTION, no_args_is_help=True, add_completion=False)
worker_app = typer.Typer(help="Run one worker role as its own process.", no_args_is_help=True)
app.add_typer(worker_app, name="worker")


def _logging(level: str) -> None:
    import logging

    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def _run(main: Callable[[Settings], Coroutine[Any, Any, None]]) -> None:
    # uvloop (uvicorn[standard] brings it), as the extra HTTP workers use: the first process
    # serves HTTP too, and its loop is a share of every read's CPU (record 0031).
    import uvloop

    from argus.cli.config_cmd import exit_on, exit_on_start, load_or_exit
    from argus.config import SettingsError
    from argus.infrastructure.embedded.process import StartError

    loaded = load_or_exit()
    _logging(loaded.app.log_level)
    try:
        uvloop.run(main(loaded))
    except SettingsError as exc:  # found when connecting: e.g. a role without its servers
        exit_on(exc)
    except StartError as exc:  # an embedded server cannot start: its port is taken, ...
        exit_on_start(exc)


@app.command()
def serve() -> None:
    """Embedded mode: PostgreSQL, Redis, parser workers and the API on :8080, until Ctrl-C."""
    from argus.entrypoints.embedded import serve as run

    _run(run)


def _role(role: str, port: int | None = None) -> None:
    from argus.entrypoints.distributed import run_role
    from argus.entrypoints.roles import RoleName

    _run(lambda loaded: run_role(loaded, RoleName(role), port=port))


@worker_app.command("parser")
def parser_worker(
    concurrency: int | None = typer.Option(
        None, min=1, help="Files parsed at once. Default: ARGUS_PARSER_CONCURRENCY (1)."
    ),
) -> None:
    """A parser worker: needs ARGUS_REDIS_URL or ARGUS_KAFKA_BOOTSTRAP, and the blob store."""
    from argus.entrypoints.distributed import run_role
    from argus.entrypoints.roles import RoleName

    async def main(loaded: Settings) -> None:
        if concurrency is not None:
            loaded.parser.concurrency = concurrency
        await run_role(loaded, RoleName.PARSER)

    _run(main)


@app.command()
def ingestor(
    port: int | None = typer.Option(None, help="Default: ARGUS_INGEST_PORT (8081)."),
) -> None:
    """Distributed mode: create, upload and complete batches; relays the outbox."""
    _role("ingestor", port)


@app.command()
def query(port: int | None = typer.Option(None, help="Default: ARGUS_HTTP_PORT (8080).")) -> None:
    """Distributed mode: reports, batch status and live progress (SSE)."""
    _role("query", port)


@app.command()
def orchestrator() -> None:
    """Distributed mode: drives every batch through its state machine."""
    _role("orchestrator")


@worker_app.command("aggregator")
def aggregator_worker() -> None:
    """Gathers the parse summaries of a batch into its report."""
    _role("aggregator")


@worker_app.command("agent")
def agent_worker() -> None:
    """Diagnoses gathered batches."""
    _role("agent")


def _register_optional() -> None:
    from argus.cli import (
        config_cmd,
        demo_cmd,
        eval_cmd,
        gen_logs_cmd,
        identity_cmd,
        infra_cmd,
        llm_cmd,
        parse_cmd,
        scenarios_cmd,
    )

    commands = (
        parse_cmd,
        gen_logs_cmd,
        scenarios_cmd,
        demo_cmd,
        infra_cmd,
        config_cmd,
        eval_cmd,
        identity_cmd,
    )
    for module in (*commands, llm_cmd):
        module.register(app)


_register_optional()
