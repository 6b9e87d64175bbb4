"""The distributed mode: every role its own process (`argus ingestor`, `argus query`, …).

Same use cases and adapters as the embedded mode (src/argus/server.py); only the process
layout differs. Each role connects to external PostgreSQL, Redis, the bus (Kafka when
ARGUS_KAFKA_BOOTSTRAP is set) and the blob store, drains on SIGTERM, and shows it is alive:
HTTP roles on GET /healthz, worker roles through a Redis key `argus:health:{role}:{member}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import uvicorn

from argus import bootstrap
from argus.bootstrap import Adapters, Settings
from argus.interfaces.http.app import create_app
from argus.server import http_services
from argus.workers import roles
from argus.workers.parser_process import run_parser_worker
from argus.workers.runtime import heartbeat, member_name, run_roles, stop_on_signals

log = logging.getLogger(__name__)

HTTP_ROLES = ("ingestor", "query")
WORKER_ROLES = ("orchestrator", "parser", "aggregator", "agent")


def _urls(settings: Settings) -> tuple[str, str]:
    if settings.postgres.url is None or settings.redis.url is None:
        raise SystemExit("the distributed roles need ARGUS_PG_URL and ARGUS_REDIS_URL")
    return settings.postgres.url, settings.redis.url


async def run_role(settings: Settings, role: str, *, port: int | None = None) -> None:
    """Run one role until SIGTERM/SIGINT."""
    if role == "parser":
        await run_parser_worker(settings)
        return
    pg_url, redis_url = _urls(settings)
    adapters = await bootstrap.connect(
        settings,
        pg_url=pg_url,
        redis_url=redis_url,
        run_migrations=role in ("ingestor", "orchestrator"),
    )
    try:
        if role in HTTP_ROLES:
            await _serve_http(adapters, role, port=port)
        else:
            await _run_worker(adapters, role)
    finally:
        await adapters.close()


async def _serve_http(adapters: Adapters, role: str, *, port: int | None) -> None:
    settings = adapters.settings
    stop = asyncio.Event()
    background: list[asyncio.Task[None]] = []
    outbox = None
    if role == "ingestor":
        relay, outbox = bootstrap.outbox_relay(adapters)
        background.append(asyncio.create_task(relay.run(stop=stop)))
    else:
        background.append(
            asyncio.create_task(
                run_roles(
                    [roles.progress(adapters)],
                    bus=adapters.bus,
                    delivery=settings.delivery,
                    stop=stop,
                )
            )
        )
    app = create_app(http_services(adapters), ingest=role == "ingestor", query=role == "query")
    default_port = settings.app.http_port if role == "query" else settings.app.ingest_port
    config = uvicorn.Config(
        app,
        host=settings.app.http_host,
        port=port or default_port,
        log_level=settings.app.log_level.lower(),
        access_log=False,
        backlog=2048,
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*background, return_exceptions=True), 30)
        if outbox is not None:
            await outbox.close()


async def _run_worker(adapters: Adapters, role: str) -> None:
    settings = adapters.settings
    stop = asyncio.Event()
    stop_on_signals(stop)
    role_list = {
        "orchestrator": [roles.orchestrator(adapters)],
        "aggregator": [roles.aggregator(adapters)],
        "agent": [roles.agent(adapters)],
    }[role]
    tasks = [
        asyncio.create_task(
            run_roles(role_list, bus=adapters.bus, delivery=settings.delivery, stop=stop)
        ),
        asyncio.create_task(heartbeat(adapters.redis, role, stop)),
    ]
    outbox = None
    if role == "orchestrator":
        # The orchestrator's state changes go through the outbox too: it relays them.
        relay, outbox = bootstrap.outbox_relay(adapters)
        tasks.append(asyncio.create_task(relay.run(stop=stop)))
        # It also ends abandoned uploads (any number of orchestrators may sweep at once).
        janitor = bootstrap.janitor(adapters)
        interval_s = settings.app.janitor_interval_s
        tasks.append(asyncio.create_task(janitor.run(interval_s=interval_s, stop=stop)))
    log.info("%s ready", member_name(role))
    try:
        await asyncio.gather(*tasks)
    finally:
        stop.set()
        if outbox is not None:
            await outbox.close()
