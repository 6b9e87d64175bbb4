"""The `argus` command: entry points only start things; the work lives in the package."""

from __future__ import annotations

import asyncio
import logging

import typer

from argus.bootstrap import Settings

app = typer.Typer(
    help="Argus: vehicle drive logs to diagnoses.", no_args_is_help=True, add_completion=False
)
worker_app = typer.Typer(help="Run one worker role as its own process.", no_args_is_help=True)
app.add_typer(worker_app, name="worker")


def _logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


@app.command()
def serve() -> None:
    """Embedded mode: PostgreSQL, Redis, parser workers and the API on :8080, until Ctrl-C."""
    from argus.server import serve as run

    settings = Settings()
    _logging(settings.app.log_level)
    asyncio.run(run(settings))


@worker_app.command("parser")
def parser_worker(concurrency: int = typer.Option(1, min=1, help="Files parsed at once.")) -> None:
    """A parser worker: needs ARGUS_REDIS_URL and the blob store."""
    from argus.workers.parser_process import run_parser_worker

    settings = Settings()
    _logging(settings.app.log_level)
    if settings.redis.url is None and settings.kafka.bootstrap is None:
        raise typer.BadParameter("set ARGUS_REDIS_URL or ARGUS_KAFKA_BOOTSTRAP for a parser worker")
    asyncio.run(run_parser_worker(settings, concurrency=concurrency))


def _role(role: str, port: int | None) -> None:
    from argus.processes import run_role

    settings = Settings()
    _logging(settings.app.log_level)
    asyncio.run(run_role(settings, role, port=port))


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
    _role("orchestrator", None)


@worker_app.command("aggregator")
def aggregator_worker() -> None:
    """Gathers the parse summaries of a batch into its report."""
    _role("aggregator", None)


@worker_app.command("agent")
def agent_worker() -> None:
    """Diagnoses gathered batches."""
    _role("agent", None)


def _register_optional() -> None:
    from argus.cli import demo_cmd, gen_logs_cmd, infra_cmd, parse_cmd, scenarios_cmd

    for module in (parse_cmd, gen_logs_cmd, scenarios_cmd, demo_cmd, infra_cmd):
        module.register(app)


_register_optional()


def main() -> None:
    app()
