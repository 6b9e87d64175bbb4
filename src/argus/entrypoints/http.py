"""The HTTP API of a process: its services over the adapters, and the one uvicorn set-up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import uvicorn

from argus import bootstrap
from argus.bootstrap import Adapters
from argus.bootstrap.limits import http_guards
from argus.entrypoints.http_protocol import head_limited_protocol
from argus.interfaces.http.app import create_app
from argus.interfaces.http.services import HttpServices

log = logging.getLogger(__name__)
OnReady = Callable[[uvicorn.Server], Awaitable[None]]


def http_services(a: Adapters) -> HttpServices:
    """The services the routers use, with a health check of PostgreSQL and Redis."""

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

    return HttpServices(
        ingest=bootstrap.ingest_service(a),
        reports=bootstrap.report_query(a),
        batches=a.batches,
        progress_feed=bootstrap.progress_feed(a),
        health=health,
        feedback=bootstrap.feedback_service(a),
    )


async def serve_http(
    a: Adapters, *, ingest: bool, query: bool, port: int, on_ready: OnReady | None
) -> None:
    """Serve until SIGTERM/SIGINT (uvicorn's own handlers) or `server.should_exit`."""
    settings = a.settings
    app = create_app(http_services(a), ingest=ingest, query=query, guards=http_guards(a))
    config = uvicorn.Config(
        app,
        host=settings.app.http_host,
        port=port,
        log_level=settings.app.log_level.lower(),
        access_log=False,
        timeout_graceful_shutdown=10,
        backlog=2048,
        http=head_limited_protocol(settings.limits.header_bytes, settings.limits.request_idle_s),
    )
    server = uvicorn.Server(config)
    ready = asyncio.create_task(_when_started(server, on_ready)) if on_ready else None
    try:
        await server.serve()
    finally:
        if ready is not None:
            ready.cancel()


async def _when_started(server: uvicorn.Server, on_ready: OnReady) -> None:
    while not server.started:
        if server.should_exit:
            return
        await asyncio.sleep(0.05)
    await on_ready(server)
