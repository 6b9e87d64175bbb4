"""Hundreds of SSE followers of one batch on a real Redis with a pool of eight connections."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.asyncio import BlockingConnectionPool, Redis

from argus.application.progress_feed import ProgressFeed
from argus.bootstrap import Adapters
from argus.domain.batch import Batch
from argus.domain.log_file import LogFile
from argus.infrastructure.redis.progress import RedisProgressChannel
from tests.conftest import Servers

pytestmark = pytest.mark.integration

FOLLOWERS = 500
POOL = 8


class CountingChannel(RedisProgressChannel):
    """Counts blocking reads in flight: the feed should never have more than one per batch."""

    blocking_now = 0
    most_blocking = 0

    async def read(self, batch_id: str, *, after: str | None, block_ms: int) -> Any:
        if not block_ms:
            return await super().read(batch_id, after=after, block_ms=block_ms)
        self.blocking_now += 1
        self.most_blocking = max(self.most_blocking, self.blocking_now)
        try:
            return await super().read(batch_id, after=after, block_ms=block_ms)
        finally:
            self.blocking_now -= 1


async def test_five_hundred_followers_on_eight_connections_all_see_every_event(
    adapters: Adapters, servers: Servers, batch_id: str
) -> None:
    await adapters.batches.create(Batch(batch_id=batch_id, vehicle_id="veh-1"))
    await adapters.batches.add_file(
        batch_id,
        LogFile(file_id=f"{batch_id}-f", name="a.mcap", size=1, sha256="0" * 64, blob_key="k"),
    )
    await adapters.batches.mutate(batch_id, lambda b: b.complete_upload())
    pool = BlockingConnectionPool.from_url(
        servers.redis_url(db=12), max_connections=POOL, timeout=30
    )
    redis = Redis(connection_pool=pool)
    try:
        channel = CountingChannel(redis, ttl_s=3600)
        feed = ProgressFeed(channel=channel, batches=adapters.batches, block_ms=1_000)

        async def follow() -> list[dict[str, Any]]:
            seen: list[dict[str, Any]] = []
            async for entries in feed.follow(batch_id, after=None):
                seen.extend(e.data for e in entries)
            return seen

        followers = [asyncio.create_task(follow()) for _ in range(FOLLOWERS)]
        steps = [{"type": "status", "status": s} for s in ("scattering", "gathering", "completed")]
        for n, step in enumerate(steps):
            await asyncio.sleep(0.2)
            await channel.append(batch_id, event_id=f"e{n}", data=step)
        # Naively, 500 blocking reads would queue for 8 connections, one block_ms at a time.
        results = await asyncio.wait_for(asyncio.gather(*followers), 60)
        assert all(result == steps for result in results)
        assert channel.most_blocking == 1
        assert feed.watched_batches() == 0
    finally:
        await redis.aclose()
        await pool.disconnect()
