"""Where each API process answered its report reads from, summed over every process that shares
the Redis (decision 0031): each publishes its counts (`ReportQuery.counts`) every second to one
hash; `GET /api/v1/admin/read-stats` adds them up. Benches print them after each run, to show
that the hot path (process memory) is what they measured."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from argus.application.queries import ReportQuery

log = logging.getLogger(__name__)

READ_STATS_KEY = "argus:read-stats"
_INTERVAL_S = 1.0
# A process that stopped publishing (gone) falls out of the sums this long after.
_TTL_S = 120


async def publish_read_stats(redis: Redis, reports: ReportQuery, stop: asyncio.Event) -> None:
    """Publish this process' counts every second until `stop`, and once more then."""
    member = f"{socket.gethostname()}:{os.getpid()}"
    while True:
        stopping = stop.is_set()
        try:
            await redis.hset(READ_STATS_KEY, member, json.dumps(reports.counts()))
            await redis.expire(READ_STATS_KEY, _TTL_S)
        except RedisError as exc:  # counts for benches: never a reason to fail a server
            log.debug("read stats not published: %r", exc)
        if stopping:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), _INTERVAL_S)


def read_stats_reader(redis: Redis) -> Callable[[], Awaitable[dict[str, int]]]:
    """The sums over every publishing process, with how many processes there are."""

    async def read() -> dict[str, int]:
        published = await redis.hgetall(READ_STATS_KEY)
        totals = {"processes": len(published)}
        for raw in published.values():
            for name, value in json.loads(raw).items():
                totals[name] = totals.get(name, 0) + int(value)
        return totals

    return read
