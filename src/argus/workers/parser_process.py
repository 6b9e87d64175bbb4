"""A parser worker process: reads `FileScattered`, parses, publishes the outcome.

Parsing is CPU-bound, so parsers are processes of their own (never threads of the API);
they need Redis (the bus) and the blob store, not PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from argus import constants
from argus.application.parsing import ParseFileHandler
from argus.application.ports import Parser
from argus.bootstrap import Settings, blob_store, event_bus, redis_client
from argus.domain.events import Family
from argus.infrastructure.parsing.native import NativeMcapParser, native_available
from argus.infrastructure.parsing.python_mcap import PythonMcapParser
from argus.workers.roles import Role
from argus.workers.runtime import heartbeat, member_name, run_roles, stop_on_signals

log = logging.getLogger(__name__)


def default_parser(threads: int | None = None) -> Parser:
    """The native C++ engine when it is built, else the Python reference (same summaries)."""
    if native_available():
        return NativeMcapParser(threads=threads)
    log.warning("argus._native is not built; parsing with the Python reference parser")
    return PythonMcapParser()


async def run_parser_worker(settings: Settings, *, concurrency: int = 1) -> None:
    """Consume the scatter stream until SIGTERM, then finish the file in hand."""
    url = settings.redis.url
    redis = None if url is None else redis_client(url, max_connections=8)
    closers: list[Callable[[], Awaitable[None]]] = []
    bus = await event_bus(settings, redis, closers)
    blobs = await blob_store(settings, closers)
    handler = ParseFileHandler(
        blobs=blobs, parser=default_parser(settings.app.parser_threads), publisher=bus
    )
    stop = asyncio.Event()
    stop_on_signals(stop)
    role = Role(
        group=constants.GROUP_PARSERS,
        families=(Family.SCATTER,),
        handle=handler.handle,
        concurrency=concurrency,
        give_up=handler.give_up,
    )
    log.info("parser worker %s ready", member_name("parser"))
    beating = None if redis is None else asyncio.create_task(heartbeat(redis, "parser", stop))
    try:
        await run_roles([role], bus=bus, delivery=settings.delivery, stop=stop)
    finally:
        if beating is not None:
            await beating
        for close in reversed(closers):
            await close()
        if redis is not None:
            await redis.aclose()
