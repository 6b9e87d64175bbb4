"""The cross-process singleflight against real PostgreSQL and Redis (decision 0030): four
"processes" (each its own ReportQuery: own in-process flight, memory, cache and lease
clients, sharing only Redis and PostgreSQL, as `argus query` replicas do) and a miss storm
make one database read. Counted, never timed."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from argus.application.ports import ReportRecord
from argus.application.queries import ReportQuery
from argus.application.report_memory import ReportMemory
from argus.application.shared_flight import SharedFlight
from argus.bootstrap import Adapters
from argus.constants import report_cache_key, report_lease_key
from argus.domain.errors import Unavailable
from argus.infrastructure.postgres.report_repository import PostgresReportRepository
from argus.infrastructure.redis.flight_lease import RedisFlightLease
from argus.infrastructure.redis.report_cache import RedisReportCache
from tests.integration.test_report_read_path import CountingReportRepository, finished_batch

pytestmark = pytest.mark.integration
PROCESSES = 4


class FailingReportRepository(CountingReportRepository):
    async def load(self, batch_id: str) -> ReportRecord | None:
        self.reads += 1
        raise Unavailable("PostgreSQL is unavailable (test)")


class GatedReportRepository(CountingReportRepository):
    """Holds every read until each process has either read or is waiting for another's read:
    without the lease all four read, with it one does (no timing decides the count)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool)
        self.flights: list[SharedFlight] = []

    async def load(self, batch_id: str) -> ReportRecord | None:
        self.reads += 1
        # Polled: the waits are counters of other objects, not events this test could await.
        while self.reads + sum(1 for f in self.flights if f.waits > 0) < PROCESSES:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        return await PostgresReportRepository.load(self, batch_id)


def processes(adapters: Adapters, reports: CountingReportRepository) -> list[ReportQuery]:
    flights = [
        SharedFlight(RedisFlightLease(adapters.redis, ttl_ms=5000)) for _ in range(PROCESSES)
    ]
    if isinstance(reports, GatedReportRepository):
        reports.flights = flights
    return [
        ReportQuery(
            reports=reports,
            cache=RedisReportCache(adapters.redis, ttl_s=60),
            memory=ReportMemory(max_bytes=1 << 20, fresh_s=60),
            shared=flight,
        )
        for flight in flights
    ]


async def test_a_miss_storm_across_four_processes_makes_one_database_read(
    adapters: Adapters, batch_id: str
) -> None:
    await finished_batch(adapters, batch_id)
    await adapters.redis.delete(report_cache_key(batch_id))
    reports = GatedReportRepository(adapters.pool)
    queries = processes(adapters, reports)
    storm = asyncio.gather(*(q.get(batch_id) for q in queries for _ in range(50)))
    views = await asyncio.wait_for(storm, 60)
    assert reports.reads == 1
    assert len({v.body for v in views}) == 1 and {v.ready for v in views} == {True}
    assert await adapters.redis.exists(report_lease_key(batch_id)) == 0


async def test_errors_are_shared_in_a_process_and_never_cached(
    adapters: Adapters, batch_id: str
) -> None:
    await finished_batch(adapters, batch_id)
    await adapters.redis.delete(report_cache_key(batch_id))
    failing = FailingReportRepository(adapters.pool)
    queries = processes(adapters, failing)
    outcomes = await asyncio.gather(
        *(q.get(batch_id) for q in queries for _ in range(25)), return_exceptions=True
    )
    assert {type(o) for o in outcomes} == {Unavailable}
    # One read per process at most (its callers share it), one process at a time.
    assert 1 <= failing.reads <= PROCESSES
    assert await adapters.redis.get(report_cache_key(batch_id)) is None
    assert await adapters.redis.exists(report_lease_key(batch_id)) == 0
    healthy = CountingReportRepository(adapters.pool)
    views = await asyncio.gather(*(q.get(batch_id) for q in processes(adapters, healthy)))
    assert healthy.reads == 1 and {v.ready for v in views} == {True}


async def test_the_lease_is_released_only_by_its_holder(adapters: Adapters, batch_id: str) -> None:
    one, two = (RedisFlightLease(adapters.redis, ttl_ms=5000) for _ in range(2))
    token = await one.acquire(batch_id)
    assert token is not None and await two.acquire(batch_id) is None
    await two.release(batch_id, "not-the-token")
    assert await two.held(batch_id)
    await one.release(batch_id, token)
    assert not await two.held(batch_id)
