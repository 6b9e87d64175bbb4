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
    if settings.redis.url is None:
        raise typer.BadParameter("ARGUS_REDIS_URL must be set for a parser worker")
    asyncio.run(run_parser_worker(settings, redis_url=settings.redis.url, concurrency=concurrency))


def _register_optional() -> None:
    from argus.cli import demo_cmd, gen_logs_cmd, parse_cmd

    for module in (parse_cmd, gen_logs_cmd, demo_cmd):
        module.register(app)


_register_optional()


def main() -> None:
    app()
