"""A parser worker process: reads `FileScattered`, parses, publishes the outcome.

Parsing is CPU-bound, so parsers are processes of their own (never threads of the API);
they need Redis (the bus) and the blob store, not PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging

from argus import constants
from argus.application.parsing import ParseFileHandler
from argus.bootstrap import Settings, redis_client
from argus.domain.events import Family
from argus.infrastructure.blob.localfs import LocalFsBlobStore
from argus.infrastructure.parsing.python_mcap import PythonMcapParser
from argus.infrastructure.redis.stream_consumer import ConsumerTuning
from argus.infrastructure.redis.streams_bus import RedisStreamsBus
from argus.workers.runtime import member_name, stop_on_signals

log = logging.getLogger(__name__)


async def run_parser_worker(settings: Settings, *, redis_url: str, concurrency: int = 1) -> None:
    """Consume the scatter stream until SIGTERM, then finish the file in hand."""
    redis = redis_client(redis_url, max_connections=8)
    tuning = ConsumerTuning(
        block_ms=settings.bus.block_ms,
        claim_idle_ms=settings.bus.claim_idle_ms,
        max_deliveries=settings.bus.max_deliveries,
    )
    bus = RedisStreamsBus(redis, tuning=tuning)
    handler = ParseFileHandler(
        blobs=LocalFsBlobStore(settings.blob_root), parser=PythonMcapParser(), publisher=bus
    )
    stop = asyncio.Event()
    stop_on_signals(stop)
    consumer = bus.consumer(
        group=constants.GROUP_PARSERS,
        families=(Family.SCATTER,),
        name=member_name("parser"),
        concurrency=concurrency,
        retry=settings.retry,
    )
    log.info("parser worker %s ready", member_name("parser"))
    try:
        await consumer.run(handler.handle, stop=stop, on_give_up=handler.give_up)
    finally:
        await redis.aclose()
