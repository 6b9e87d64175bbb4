"""`argus serve`: the embedded mode, every role in one process.

Starts PostgreSQL and Redis as child processes (unless their URLs are given) and the parser
worker processes, then runs every other role of the catalogue in this process with the
ingest and query API on one port. Ctrl-C / SIGTERM drains and stops all of it.
"""

from __future__ import annotations

import asyncio
import logging

from argus.config import Settings
from argus.entrypoints.http import OnReady
from argus.entrypoints.roles import EMBEDDED_IN_PROCESS
from argus.entrypoints.runner import run
from argus.infrastructure.embedded.stack import EmbeddedStack
from argus.workers.supervisor import ParserSupervisor

log = logging.getLogger(__name__)


def embedded_stack(settings: Settings) -> EmbeddedStack:
    """The data dir's PostgreSQL and Redis (also what the admin commands connect to)."""
    embedded = settings.embedded
    return EmbeddedStack(
        settings.app.data_dir,
        pg_port=embedded.pg_port,
        redis_port=embedded.redis_port,
        durable=embedded.durable,
    )


async def serve(settings: Settings, *, on_ready: OnReady | None = None) -> None:
    """Run everything until the HTTP server exits (signal, or `server.should_exit`)."""
    stack: EmbeddedStack | None = None
    pg_url, redis_url = settings.postgres.url, settings.redis.url
    if pg_url is None or redis_url is None:
        stack = embedded_stack(settings)
        log.info("starting embedded PostgreSQL and Redis under %s", settings.app.data_dir)
        embedded_pg, embedded_redis = await asyncio.to_thread(stack.start)
        pg_url, redis_url = pg_url or embedded_pg, redis_url or embedded_redis
    try:
        data_dir = settings.app.data_dir.resolve()
        parsers = ParserSupervisor(
            count=settings.parser.workers,
            # The workers read the same settings, plus where this process put the servers.
            env={
                "ARGUS_REDIS_URL": redis_url,
                "ARGUS_PG_URL": pg_url,
                "ARGUS_BLOB_ROOT": str(settings.blob_root.resolve()),
                "ARGUS_DATA_DIR": str(data_dir),
            },
            run_dir=data_dir / "run",
            log_dir=data_dir / "log",
        )
        await run(
            settings,
            EMBEDDED_IN_PROCESS,
            pg_url=pg_url,
            redis_url=redis_url,
            children=[parsers],
            on_ready=on_ready,
        )
    finally:
        if stack is not None:
            await asyncio.to_thread(stack.stop)
