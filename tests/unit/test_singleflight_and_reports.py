"""Singleflight and the report read path over fakes: reads are counted, not timed."""

from __future__ import annotations

import asyncio
import json

import pytest

from argus.application.queries import ReportQuery
from argus.application.singleflight import SingleFlight
from argus.domain.batch import Batch, BatchStatus
from argus.domain.errors import NotFound, Unavailable
from tests.fakes.messaging import FakeReportCache
from tests.fakes.repositories import FakeBatchRepository, FakeReportRepository

pytestmark = pytest.mark.unit


async def test_concurrent_calls_for_one_key_run_the_work_once() -> None:
    flight: SingleFlight[int] = SingleFlight()
    calls = 0
    gate = asyncio.Event()

    async def work() -> int:
        nonlocal calls
        calls += 1
        await gate.wait()
        return 42

    waiters = [asyncio.create_task(flight.do("k", work)) for _ in range(50)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiters) == [42] * 50
    assert calls == 1
    assert flight.in_flight() == 0


async def test_an_error_reaches_every_waiter_and_the_next_call_retries() -> None:
    flight: SingleFlight[int] = SingleFlight()
    gate = asyncio.Event()

    async def failing() -> int:
        await gate.wait()
        raise RuntimeError("db down")

    waiters = [asyncio.create_task(flight.do("k", failing)) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)

    async def ok() -> int:
        return 1

    assert await flight.do("k", ok) == 1


@pytest.mark.parametrize("cancelled", ["leader", "follower"])
async def test_a_cancelled_caller_does_not_fail_the_other(cancelled: str) -> None:
    flight: SingleFlight[str] = SingleFlight()
    gate = asyncio.Event()

    async def work() -> str:
        await gate.wait()
        return "done"

    leader = asyncio.create_task(flight.do("k", work))
    await asyncio.sleep(0)
    follower = asyncio.create_task(flight.do("k", work))
    await asyncio.sleep(0)
    victim, survivor = (leader, follower) if cancelled == "leader" else (follower, leader)
    victim.cancel()
    gate.set()
    assert await survivor == "done"


async def finished_batch(repo: FakeBatchRepository, status: BatchStatus) -> None:
    await repo.create(Batch(batch_id="b-1", vehicle_id="veh-1", status=status))


async def test_200_concurrent_misses_make_one_read_then_the_cache_serves() -> None:
    repo = FakeBatchRepository()
    reports = FakeReportRepository(repo.store)
    await finished_batch(repo, BatchStatus.COMPLETED)
    cache = FakeReportCache()
    query = ReportQuery(reports=reports, cache=cache)
    views = await asyncio.gather(*(query.get("b-1") for _ in range(200)))
    assert reports.reads == 1
    assert {v.body for v in views} == {views[0].body}
    assert json.loads(views[0].body)["status"] == "completed"
    await query.get("b-1")
    assert reports.reads == 1 and "b-1" in cache.entries


async def test_unfinished_reports_are_not_cached() -> None:
    repo = FakeBatchRepository()
    reports = FakeReportRepository(repo.store)
    await finished_batch(repo, BatchStatus.SCATTERING)
    cache = FakeReportCache()
    view = await ReportQuery(reports=reports, cache=cache).get("b-1")
    assert view.ready is False
    assert json.loads(view.body) == {
        "batch_id": "b-1",
        "vehicle_id": "veh-1",
        "status": "scattering",
    }
    assert cache.entries == {}


async def test_unknown_batch_is_not_found() -> None:
    repo = FakeBatchRepository()
    with pytest.raises(NotFound):
        await ReportQuery(reports=FakeReportRepository(repo.store), cache=FakeReportCache()).get(
            "nope"
        )


async def test_a_miss_that_reaches_the_flight_after_it_ended_reads_the_cache_not_the_db() -> None:
    repo = FakeBatchRepository()
    reports = FakeReportRepository(repo.store)
    await finished_batch(repo, BatchStatus.COMPLETED)
    cache = FakeReportCache()
    query = ReportQuery(reports=reports, cache=cache)
    await query.get("b-1")  # first flight: one read, the report is now cached
    # A reader whose cache lookup missed just before that write arrives at the flight late:
    view = await query._flight.do("b-1", lambda: query._load("b-1"))
    assert view.ready and reports.reads == 1


class BrokenCache(FakeReportCache):
    async def get(self, batch_id: str) -> bytes | None:
        raise Unavailable("redis is away")

    async def set(self, batch_id: str, payload: bytes) -> None:
        raise Unavailable("redis is away")


async def test_reports_are_served_from_the_database_when_the_cache_is_down() -> None:
    repo = FakeBatchRepository()
    reports = FakeReportRepository(repo.store)
    await finished_batch(repo, BatchStatus.COMPLETED)
    views = await asyncio.gather(
        *(ReportQuery(reports=reports, cache=BrokenCache()).get("b-1") for _ in range(3))
    )
    assert all(v.ready for v in views)
    assert reports.reads == 3  # separate ReportQuery objects: one flight each
