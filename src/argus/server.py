"""`argus serve`: the embedded mode in one command.

Starts PostgreSQL and Redis as child processes (unless their URLs are given), the parser
worker processes, the in-process roles (orchestrator, aggregator, agent, progress, outbox
relay) and the HTTP API on one port. Ctrl-C / SIGTERM drains and stops all of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import uvicorn

from argus import bootstrap
from argus.bootstrap import Adapters, Settings
from argus.config import EmbeddedSettings
from argus.infrastructure.embedded.stack import EmbeddedStack
from argus.interfaces.http.app import create_app
from argus.interfaces.http.services import HttpServices
from argus.workers import roles
from argus.workers.runtime import run_roles
from argus.workers.supervisor import ParserSupervisor

log = logging.getLogger(__name__)


def http_services(a: Adapters) -> HttpServices:
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

    return HttpServices(
        ingest=bootstrap.ingest_service(a),
        reports=bootstrap.report_query(a),
        batches=a.batches,
        progress_feed=bootstrap.progress_feed(a),
        health=health,
    )


async def serve(
    settings: Settings,
    *,
    on_ready: Callable[[uvicorn.Server], Awaitable[None]] | None = None,
) -> None:
    """Run everything until the HTTP server exits (signal, or `server.should_exit`)."""
    stack: EmbeddedStack | None = None
    pg_url, redis_url = settings.postgres.url, settings.redis.url
    if pg_url is None or redis_url is None:
        stack = EmbeddedStack(settings.app.data_dir, EmbeddedSettings())
        log.info("starting embedded PostgreSQL and Redis under %s", settings.app.data_dir)
        embedded_pg, embedded_redis = await asyncio.to_thread(stack.start)
        pg_url, redis_url = pg_url or embedded_pg, redis_url or embedded_redis
    try:
        await _serve_with(settings, pg_url=pg_url, redis_url=redis_url, on_ready=on_ready)
    finally:
        if stack is not None:
            await asyncio.to_thread(stack.stop)


async def _serve_with(
    settings: Settings,
    *,
    pg_url: str,
    redis_url: str,
    on_ready: Callable[[uvicorn.Server], Awaitable[None]] | None,
) -> None:
    adapters = await bootstrap.connect(
        settings, pg_url=pg_url, redis_url=redis_url, run_migrations=True
    )
    data_dir = settings.app.data_dir.resolve()
    parsers = ParserSupervisor(
        count=settings.app.parser_workers,
        env={
            "ARGUS_REDIS_URL": redis_url,
            "ARGUS_PG_URL": pg_url,
            "ARGUS_BLOB_ROOT": str(settings.blob_root.resolve()),
            "ARGUS_DATA_DIR": str(data_dir),
        },
        run_dir=data_dir / "run",
        log_dir=data_dir / "log",
    )
    stop = asyncio.Event()
    relay, outbox = bootstrap.outbox_relay(adapters)
    role_list = [
        roles.orchestrator(adapters),
        roles.aggregator(adapters),
        roles.agent(adapters),
        roles.progress(adapters),
    ]
    background = [
        asyncio.create_task(
            run_roles(role_list, bus=adapters.bus, delivery=settings.delivery, stop=stop)
        ),
        asyncio.create_task(relay.run(stop=stop)),
        asyncio.create_task(
            bootstrap.janitor(adapters).run(interval_s=settings.app.janitor_interval_s, stop=stop)
        ),
    ]
    parsers.start()
    config = uvicorn.Config(
        create_app(http_services(adapters)),
        host=settings.app.http_host,
        port=settings.app.http_port,
        log_level=settings.app.log_level.lower(),
        access_log=False,
        timeout_graceful_shutdown=10,
        backlog=2048,
    )
    server = uvicorn.Server(config)
    ready_task = asyncio.create_task(_when_started(server, on_ready)) if on_ready else None
    try:
        await server.serve()
    finally:
        log.info("shutting down: draining consumers and parser workers")
        stop.set()
        if ready_task is not None:
            ready_task.cancel()
        await parsers.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*background, return_exceptions=True), 30)
        await outbox.close()
        await adapters.close()


async def _when_started(
    server: uvicorn.Server, on_ready: Callable[[uvicorn.Server], Awaitable[None]]
) -> None:
    while not server.started:
        if server.should_exit:
            return
        await asyncio.sleep(0.05)
    await on_ready(server)
