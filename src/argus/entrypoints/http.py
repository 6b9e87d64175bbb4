"""The HTTP API of a process: its services over the adapters, and the one uvicorn set-up."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator

import uvicorn

from argus import bootstrap
from argus.application.identity import Authenticator, OwnerLookup
from argus.bootstrap import Adapters
from argus.interfaces.http.app import create_app
from argus.interfaces.http.services import HttpServices

OnReady = Callable[[uvicorn.Server], Awaitable[None]]


def http_services(a: Adapters, *, auth: Authenticator | None = None) -> HttpServices:
    """The services the routers use, with a health check of PostgreSQL and Redis.

    `auth` replaces the token check only for bench/report_reads.py's comparison."""

    async def health() -> dict[str, str]:
        checks = {}
        try:
            await a.pool.fetchval("SELECT 1")
            checks["postgres"] = "ok"
        except Exception as exc:
            checks["postgres"] = f"error: {exc}"
        try:
            await a.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {exc}"
        return checks

    owners = OwnerLookup(a.batches)  # one per process: the readers and writers share it
    return HttpServices(
        auth=auth or bootstrap.authenticator(a),
        ingest=bootstrap.guarded_ingest(a, owners),
        reads=bootstrap.guarded_reads(a, owners),
        feedback=bootstrap.guarded_feedback(a, owners),
        audit=bootstrap.audit_queries(a),
        health=health,
    )


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: the runner owns SIGTERM/SIGINT for the whole
    process. (uvicorn re-raises a caught SIGTERM once it has stopped, which kills the
    process before `argus serve` has stopped its PostgreSQL and Redis.)"""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_http(
    a: Adapters,
    *,
    ingest: bool,
    query: bool,
    port: int,
    stop: asyncio.Event,
    on_ready: OnReady | None,
) -> None:
    """Serve until `stop` is set (the runner's signal handlers) or `server.should_exit`."""
    settings = a.settings
    config = uvicorn.Config(
        create_app(http_services(a), ingest=ingest, query=query),
        host=settings.app.http_host,
        port=port,
        log_level=settings.app.log_level.lower(),
        access_log=False,
        timeout_graceful_shutdown=10,
        backlog=2048,
    )
    server = _Server(config)
    ready = asyncio.create_task(_when_started(server, on_ready)) if on_ready else None
    stopping = asyncio.create_task(_exit_on(stop, server))
    try:
        await server.serve()
    finally:
        stopping.cancel()
        if ready is not None:
            ready.cancel()


async def _exit_on(stop: asyncio.Event, server: uvicorn.Server) -> None:
    await stop.wait()
    server.should_exit = True


async def _when_started(server: uvicorn.Server, on_ready: OnReady) -> None:
    while not server.started:
        if server.should_exit:
            return
        await asyncio.sleep(0.05)
    await on_ready(server)
