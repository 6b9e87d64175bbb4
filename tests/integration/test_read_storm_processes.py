"""A cold-read storm from four real OS processes makes one database read (decision 0031).

Each process (spawned, so nothing is shared but what an `argus` HTTP worker shares: the real
PostgreSQL and Redis of the fixtures) builds its own read stack — asyncpg pool, Redis client,
report memory, in-process singleflight, Redis lease — and fires 50 concurrent reads of one
report that is in no cache. The repository counts each database read in Redis (`INCR`), so the
count spans the processes. Counted, never timed: a read is held until every process has
either read or is waiting for another's read, so without the lease all four would read.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
from dataclasses import dataclass

import asyncpg
import pytest
from redis.asyncio import Redis

from argus.application.ports import ReportRecord
from argus.application.queries import ReportQuery
from argus.application.report_memory import ReportMemory
from argus.application.shared_flight import SharedFlight
from argus.bootstrap import Adapters
from argus.constants import report_cache_key, report_lease_key
from argus.infrastructure.postgres.database import create_pool
from argus.infrastructure.postgres.report_repository import PostgresReportRepository
from argus.infrastructure.postgres.rows import init_connection
from argus.infrastructure.redis.flight_lease import RedisFlightLease
from argus.infrastructure.redis.report_cache import RedisReportCache
from tests.conftest import Servers
from tests.integration.test_report_read_path import finished_batch

pytestmark = pytest.mark.integration
PROCESSES = 4
READS_PER_PROCESS = 50
_HOLD_LIMIT_S = 60  # a read held longer than this fails the test instead of hanging it


@dataclass(frozen=True)
class Storm:
    pg_url: str
    redis_url: str
    batch_id: str

    def key(self, name: str) -> str:
        return f"test:storm:{self.batch_id}:{name}"


class RedisCountedRepository(PostgresReportRepository):
    """The real repository; each read is counted in Redis (across processes) and held until
    every process has read or waits on another's lease."""

    def __init__(self, pool: asyncpg.Pool, redis: Redis, storm: Storm) -> None:
        super().__init__(pool)
        self.redis = redis
        self.storm = storm

    async def load(self, batch_id: str) -> ReportRecord | None:
        await self.redis.incr(self.storm.key("reads"))
        for _ in range(_HOLD_LIMIT_S * 100):
            reads = int(await self.redis.get(self.storm.key("reads")) or 0)
            waiting = int(await self.redis.get(self.storm.key("waiting")) or 0)
            if reads + waiting >= PROCESSES:
                return await super().load(batch_id)
            await asyncio.sleep(0.01)
        raise AssertionError("the other processes neither read nor waited")


async def one_process(storm: Storm) -> list[str]:
    """The storm of one process: the SHA-256 of every body it was served."""
    pool = await create_pool(storm.pg_url, min_size=1, max_size=4, init=init_connection)
    redis = Redis.from_url(storm.redis_url)
    try:
        flight = SharedFlight(RedisFlightLease(redis, ttl_ms=5000))
        query = ReportQuery(
            reports=RedisCountedRepository(pool, redis, storm),
            cache=RedisReportCache(redis, ttl_s=60),
            memory=ReportMemory(max_bytes=1 << 20, fresh_s=60),
            shared=flight,
        )
        await redis.incr(storm.key("arrived"))
        # Polled: the other processes' arrivals are a Redis counter, nothing to await here.
        while int(await redis.get(storm.key("arrived")) or 0) < PROCESSES:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        reads = asyncio.gather(*(query.get(storm.batch_id) for _ in range(READS_PER_PROCESS)))
        waited = False
        while not reads.done():
            if flight.waits > 0 and not waited:  # this process waits for another's read
                waited = True
                await redis.incr(storm.key("waiting"))
            await asyncio.sleep(0.005)
        return [hashlib.sha256(view.body).hexdigest() for view in await reads]
    finally:
        await redis.aclose()
        await pool.close()


def run_process(storm: Storm, results: multiprocessing.Queue[list[str]]) -> None:
    results.put(asyncio.run(one_process(storm)))


async def test_a_cold_storm_from_four_os_processes_makes_one_database_read(
    adapters: Adapters, servers: Servers, batch_id: str
) -> None:
    await finished_batch(adapters, batch_id)
    await adapters.redis.delete(report_cache_key(batch_id))
    storm = Storm(servers.pg_url(), servers.redis_url(), batch_id)
    spawn = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[list[str]] = spawn.Queue()
    processes = [spawn.Process(target=run_process, args=(storm, results)) for _ in range(4)]
    for process in processes:
        process.start()
    try:
        bodies = [await asyncio.to_thread(results.get, True, 120) for _ in processes]
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
    assert {p.exitcode for p in processes} == {0}
    assert int(await adapters.redis.get(storm.key("reads")) or 0) == 1
    assert int(await adapters.redis.get(storm.key("waiting")) or 0) == PROCESSES - 1
    assert [len(b) for b in bodies] == [READS_PER_PROCESS] * PROCESSES
    assert len({h for b in bodies for h in b}) == 1  # every caller got the same report
    assert await adapters.redis.exists(report_lease_key(batch_id)) == 0
