"""The HTTP API of a process: its services over the adapters, and the one uvicorn set-up."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
from collections.abc import Awaitable, Callable, Iterator

import uvicorn
from starlette.types import ASGIApp

from argus import bootstrap
from argus.application.identity import Authenticator, OwnerLookup
from argus.bootstrap import Adapters
from argus.bootstrap.limits import http_guards
from argus.entrypoints.http_protocol import head_limited_protocol
from argus.entrypoints.http_workers import HttpWorkers, WorkerOrder, listening_socket
from argus.entrypoints.read_stats import publish_read_stats, read_stats_reader
from argus.interfaces.http.app import create_served_app
from argus.interfaces.http.services import HttpServices

log = logging.getLogger(__name__)
OnReady = Callable[[uvicorn.Server], Awaitable[None]]
_BACKLOG = 2048


def http_services(a: Adapters, *, auth: Authenticator | None = None) -> HttpServices:
    """The services the routers use, with a health check of PostgreSQL and Redis.

    `auth` replaces the token check only for bench/report_reads.py's comparison."""

    async def health() -> dict[str, str]:
        # "ok" or "unavailable" only: an error's text names internal hosts and ports, which
        # are for the operator's log, not for an unauthenticated caller.
        checks = {}
        try:
            await a.pool.fetchval("SELECT 1")
            checks["postgres"] = "ok"
        except Exception as exc:
            log.warning("health: PostgreSQL unavailable: %r", exc)
            checks["postgres"] = "unavailable"
        try:
            await a.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            log.warning("health: Redis unavailable: %r", exc)
            checks["redis"] = "unavailable"
        return checks

    owners = OwnerLookup(a.batches)  # one per process: the readers and writers share it
    memory = bootstrap.report_memory(a)  # likewise: feedback drops what the reads keep
    return HttpServices(
        auth=auth or bootstrap.authenticator(a),
        ingest=bootstrap.guarded_ingest(a, owners),
        reads=bootstrap.guarded_reads(a, owners, memory),
        feedback=bootstrap.guarded_feedback(a, owners, memory),
        audit=bootstrap.audit_queries(a),
        health=health,
        read_stats=read_stats_reader(a.redis),
    )


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: the runner owns SIGTERM/SIGINT for the whole
    process. (uvicorn re-raises a caught SIGTERM once it has stopped, which kills the
    process before `argus serve` has stopped its PostgreSQL and Redis.)"""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def freeze_start_up_objects() -> None:
    """Everything made so far (modules, the app, settings, pools) out of the collector's reach.

    A full collection otherwise walks all of it while requests wait: under wrk, 5 of them took
    511 ms in all, the longest 120 ms, and made the p99; after the freeze 7 took 29 ms, the
    longest 5.5 ms (0037). Garbage is collected first; what is frozen lives as long as the
    process, as it would have anyway."""
    gc.collect()
    gc.freeze()


async def serve_http(
    a: Adapters,
    *,
    ingest: bool,
    query: bool,
    port: int,
    stop: asyncio.Event,
    on_ready: OnReady | None,
    urls: tuple[str, str] | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve until `stop` is set (the runner's signal handlers) or `server.should_exit`.

    Given `urls` (PostgreSQL, Redis: the first process), also starts `ARGUS_HTTP_WORKERS - 1`
    worker processes on the same port: uvicorn ones share this process' socket, granian ones
    bind the port themselves (granian listens with SO_REUSEPORT). A worker passes `sock`."""
    settings = a.settings
    services = http_services(a)
    app = create_served_app(services, ingest=ingest, query=query, guards=http_guards(a))
    freeze_start_up_objects()
    granian = settings.app.http_server == "granian"
    if sock is None and not granian:
        sock = listening_socket(settings.app.http_host, port, backlog=_BACKLOG)
    workers = None
    if urls is not None and settings.app.http_workers > 1:
        fd = None if sock is None else sock.fileno()
        order = WorkerOrder(settings, *urls, fd=fd, port=port, ingest=ingest, query=query)
        workers = HttpWorkers(order, settings.app.http_workers - 1)
        workers.start()
    stats = asyncio.create_task(publish_read_stats(a.redis, services.reads.reports, stop))
    try:
        if granian:
            from argus.entrypoints.http_granian import serve_granian

            stopping = asyncio.create_task(_terminate_on(stop, workers))
            host = settings.app.http_host
            await serve_granian(app, host=host, port=port, limits=settings.limits, stop=stop)
            stopping.cancel()
        else:
            assert sock is not None
            await _serve_uvicorn(
                a, app, sock, port=port, stop=stop, on_ready=on_ready, workers=workers
            )
    finally:
        stats.cancel()
        if workers is not None:
            await workers.stop()


async def _serve_uvicorn(
    a: Adapters,
    app: ASGIApp,
    sock: socket.socket,
    *,
    port: int,
    stop: asyncio.Event,
    on_ready: OnReady | None,
    workers: HttpWorkers | None,
) -> None:
    settings = a.settings
    config = uvicorn.Config(
        app,
        host=settings.app.http_host,
        port=port,
        log_level=settings.app.log_level.lower(),
        access_log=False,
        timeout_graceful_shutdown=10,
        http=head_limited_protocol(settings.limits.header_bytes, settings.limits.request_idle_s),
    )
    server = _Server(config)
    ready = asyncio.create_task(_when_started(server, on_ready)) if on_ready else None
    stopping = asyncio.create_task(_exit_on(stop, server, workers))
    try:
        with sock:
            await server.serve(sockets=[sock])
    finally:
        stopping.cancel()
        if ready is not None:
            ready.cancel()


async def _terminate_on(stop: asyncio.Event, workers: HttpWorkers | None) -> None:
    await stop.wait()
    if workers is not None:
        workers.terminate()  # they drain at the same time as this process


async def _exit_on(
    stop: asyncio.Event, server: uvicorn.Server, workers: HttpWorkers | None
) -> None:
    await stop.wait()
    server.should_exit = True
    await _terminate_on(stop, workers)


async def _when_started(server: uvicorn.Server, on_ready: OnReady) -> None:
    while not server.started:
        if server.should_exit:
            return
        await asyncio.sleep(0.05)
    await on_ready(server)
