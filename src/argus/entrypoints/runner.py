"""The one runner: any set of roles in one process, connected to what they need, drained on
SIGTERM/SIGINT. Both run modes use it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Protocol

from argus import bootstrap
from argus.config import Settings, SettingsError
from argus.entrypoints.http import OnReady, serve_http
from argus.entrypoints.roles import CATALOGUE, Connected, Loop, RoleName, RoleSpec, Router
from argus.workers.runtime import heartbeat, member_name, run_roles, stop_on_signals

log = logging.getLogger(__name__)

_DRAIN_TIMEOUT_S = 30


class Child(Protocol):
    """Processes a run supervises (the embedded parser workers): started after the roles,
    stopped first, so their last results still find consumers."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...


async def run(
    settings: Settings,
    roles: Collection[RoleName],
    *,
    pg_url: str | None,
    redis_url: str | None,
    port: int | None = None,
    children: Sequence[Child] = (),
    on_ready: OnReady | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run `roles` in this process until a signal (or the HTTP server's `should_exit`);
    a caller that installed the signal handlers earlier passes its `stop`."""
    specs = [CATALOGUE[name] for name in sorted(roles)]
    if stop is None:
        stop = asyncio.Event()
        stop_on_signals(stop)
    connected = await connect(settings, specs, pg_url=pg_url, redis_url=redis_url)
    closers: list[Callable[[], Awaitable[None]]] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        tasks = _start(connected, specs, stop, closers)
        for child in children:
            child.start()
        log.info("ready: %s", ", ".join(spec.name for spec in specs))
        urls = None if pg_url is None or redis_url is None else (pg_url, redis_url)
        await _until_stopped(connected, specs, stop, tasks, port=port, on_ready=on_ready, urls=urls)
    finally:
        stop.set()
        for child in children:
            await child.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), _DRAIN_TIMEOUT_S)
        for close in reversed(closers):
            await close()
        await connected.close()
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise RuntimeError(f"{task.get_name()} failed") from task.exception()


async def connect(
    settings: Settings, specs: Sequence[RoleSpec], *, pg_url: str | None, redis_url: str | None
) -> Connected:
    """Connect only what the roles need: PostgreSQL only if one of them needs it."""
    names = ", ".join(spec.name for spec in specs)
    if any(spec.needs_postgres for spec in specs):
        if pg_url is None or redis_url is None:
            raise SettingsError(f"{names} need ARGUS_PG_URL and ARGUS_REDIS_URL")
        adapters = await bootstrap.connect(
            settings,
            pg_url=pg_url,
            redis_url=redis_url,
            run_migrations=any(spec.migrates for spec in specs),
        )
        return Connected(messaging=adapters.messaging, adapters=adapters)
    if redis_url is None and settings.kafka.bootstrap is None:
        raise SettingsError(f"{names} need ARGUS_REDIS_URL or ARGUS_KAFKA_BOOTSTRAP")
    messaging = await bootstrap.connect_messaging(
        settings, redis_url=redis_url, max_connections=settings.parser.redis_max_connections
    )
    return Connected(messaging=messaging, adapters=None)


def _start(
    connected: Connected,
    specs: Sequence[RoleSpec],
    stop: asyncio.Event,
    closers: list[Callable[[], Awaitable[None]]],
) -> list[asyncio.Task[None]]:
    """Consumers, then each loop once (however many roles ask for it), heartbeats per role."""
    settings = connected.settings
    consumers = [consumer.role(connected) for spec in specs for consumer in spec.consumers]
    tasks = []
    if consumers:
        delivery = bootstrap.delivery_policy(settings)
        consumed = run_roles(consumers, bus=connected.messaging.bus, delivery=delivery, stop=stop)
        tasks.append(asyncio.create_task(consumed, name="consumers"))
    loops = {loop for spec in specs for loop in spec.loops}
    if Loop.OUTBOX_RELAY in loops:
        relay, outbox = bootstrap.outbox_relay(connected.db())
        closers.append(outbox.close)
        tasks.append(asyncio.create_task(relay.run(stop=stop), name="outbox-relay"))
    if Loop.JANITOR in loops:
        janitor = bootstrap.janitor(connected.db()).run(
            interval_s=settings.janitor.interval_s, stop=stop
        )
        tasks.append(asyncio.create_task(janitor, name="janitor"))
    redis = connected.messaging.redis
    for spec in specs:
        if Loop.HEARTBEAT in spec.loops and redis is not None:
            beat = heartbeat(redis, spec.name, stop)
            tasks.append(asyncio.create_task(beat, name=f"heartbeat:{spec.name}"))
            log.info("%s ready", member_name(spec.name))
    return tasks


async def _until_stopped(
    connected: Connected,
    specs: Sequence[RoleSpec],
    stop: asyncio.Event,
    tasks: list[asyncio.Task[None]],
    *,
    port: int | None,
    on_ready: OnReady | None,
    urls: tuple[str, str] | None,
) -> None:
    routers = {router for spec in specs for router in spec.routers}
    if routers:
        settings = connected.settings
        # The ingestor alone listens on its own port; the query service, or both, on http_port.
        default_port = (
            settings.app.ingest_port if routers == {Router.INGEST} else settings.app.http_port
        )
        await serve_http(
            connected.db(),
            ingest=Router.INGEST in routers,
            query=Router.QUERY in routers,
            port=port or default_port,
            stop=stop,
            on_ready=on_ready,
            urls=urls,
        )
        return
    # A worker process also ends when one of its loops fails, so its supervisor restarts it.
    waiting = asyncio.create_task(stop.wait())
    await asyncio.wait([waiting, *tasks], return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
