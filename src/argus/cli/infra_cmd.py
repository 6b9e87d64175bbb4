"""`argus infra postgres|redis start|stop`: the distributed mode's PostgreSQL and Redis as
detached local servers (deployments/local/infra.sh adds Kafka and MinIO around them)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import typer

from argus.cli.config_cmd import exit_on_start, load_or_exit, mask_url_password

# The servers' modules (redis client, ...) are imported inside the commands: `argus --help`
# does not pay for them.

infra_app = typer.Typer(help="Local PostgreSQL and Redis servers for the distributed mode.")


def _pid_alive(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, IndexError, ProcessLookupError):
        return None
    return pid


def _stop(pid_file: Path, signum: int, what: str) -> None:
    pid = _pid_alive(pid_file)
    if pid is None:
        typer.echo(f"{what}: not running")
        return
    os.kill(pid, signum)
    for _ in range(300):
        if _pid_alive(pid_file) is None or not Path(f"/proc/{pid}").exists():
            break
        time.sleep(0.1)
    pid_file.unlink(missing_ok=True)
    typer.echo(f"{what}: stopped")


def _act(
    action: str,
    *,
    what: str,
    running: bool,
    start: Callable[[], str],
    url: Callable[[], str],
    stop_signal: int,
    pid_file: Path,
) -> None:
    from argus.infrastructure.embedded.process import StartError

    if action == "url":  # password included: for scripts (ARGUS_PG_URL=$(argus infra … url))
        try:
            typer.echo(url())
        except StartError as exc:
            exit_on_start(exc)
    elif action == "start":
        if running:
            typer.echo(f"{what}: already running")
            return
        typer.echo(f"{what}: ready ({start()})")
    elif action == "stop":
        _stop(pid_file, stop_signal, what)
    elif action == "status":
        typer.echo(f"{what}: {'running' if running else 'stopped'}")
        raise typer.Exit(0 if running else 1)
    else:
        raise typer.BadParameter(f"unknown action {action!r}: start, stop, status or url")


@infra_app.command()
def postgres(
    action: str = typer.Argument(..., help="start | stop | status | url"),
    data_dir: Path | None = typer.Option(None, help="Default: ARGUS_INFRA_PG_DIR."),
    port: int | None = typer.Option(None, help="Default: ARGUS_INFRA_PG_PORT (5432)."),
) -> None:
    """PostgreSQL 18 + pgvector on 127.0.0.1:PORT (TCP), detached; idempotent."""
    from argus.infrastructure.embedded.postgres_server import EmbeddedPostgres
    from argus.infrastructure.embedded.process import port_open

    infra = load_or_exit().infra
    port = port or infra.pg_port
    server = EmbeddedPostgres(
        (data_dir or infra.pg_dir).resolve() / "data", port, port_variable="ARGUS_INFRA_PG_PORT"
    )
    pid_file = server.data_dir / "postmaster.pid"

    def start() -> str:
        server.start()  # the server runs in its own session and outlives this command
        return f"{mask_url_password(server.dsn)}, password in {server.app_password_file}"

    running = _pid_alive(pid_file) is not None and port_open(port)
    _act(
        action,
        what="postgres",
        running=running,
        start=start,
        url=lambda: server.dsn,
        stop_signal=signal.SIGINT,
        pid_file=pid_file,
    )


@infra_app.command()
def redis(
    action: str = typer.Argument(..., help="start | stop | status | url"),
    data_dir: Path | None = typer.Option(None, help="Default: ARGUS_INFRA_REDIS_DIR."),
    port: int | None = typer.Option(None, help="Default: ARGUS_INFRA_REDIS_PORT (6379)."),
) -> None:
    """Redis with AOF on 127.0.0.1:PORT, detached; idempotent."""
    from argus.infrastructure.embedded.process import port_open
    from argus.infrastructure.embedded.redis_server import EmbeddedRedis

    infra = load_or_exit().infra
    port = port or infra.redis_port
    server = EmbeddedRedis(
        (data_dir or infra.redis_dir).resolve(), port, port_variable="ARGUS_INFRA_REDIS_PORT"
    )
    pid_file = server.data_dir / "redis.pid"  # written by Redis itself

    def start() -> str:
        server.start()
        return f"{mask_url_password(server.url)}, password in {server.password_file}"

    running = _pid_alive(pid_file) is not None and port_open(port)
    _act(
        action,
        what="redis",
        running=running,
        start=start,
        url=lambda: server.url,
        stop_signal=signal.SIGTERM,
        pid_file=pid_file,
    )


def register(app: typer.Typer) -> None:
    """Add `argus infra …`."""
    app.add_typer(infra_app, name="infra")
