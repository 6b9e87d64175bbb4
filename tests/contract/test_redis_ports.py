"""Contracts of the barrier, the progress channel and the report cache."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from argus.application.ports import Barrier, ProgressChannel, ReportCache
from argus.constants import barrier_key
from tests.contract.conftest import FAKE, REAL, real_adapters
from tests.fakes.messaging import FakeBarrier, FakeProgressChannel, FakeReportCache


@pytest.fixture(params=[FAKE, REAL])
def barrier(request: pytest.FixtureRequest) -> Barrier:
    return FakeBarrier() if request.param == "fake" else real_adapters(request).barrier


@pytest.fixture(params=[FAKE, REAL])
def progress(request: pytest.FixtureRequest) -> ProgressChannel:
    return FakeProgressChannel() if request.param == "fake" else real_adapters(request).progress


@pytest.fixture(params=[FAKE, REAL])
def cache(request: pytest.FixtureRequest) -> ReportCache:
    return FakeReportCache() if request.param == "fake" else real_adapters(request).cache


async def lose(barrier: Barrier, batch_id: str, request: pytest.FixtureRequest) -> None:
    if isinstance(barrier, FakeBarrier):
        barrier.counters.pop(batch_id)
    else:
        await real_adapters(request).redis.delete(barrier_key(batch_id))


async def test_barrier_counts_each_file_once(barrier: Barrier, batch_id: str) -> None:
    await barrier.prepare(batch_id, 3)
    first = await barrier.arrive(batch_id, "f1")
    again = await barrier.arrive(batch_id, "f1")
    assert first is not None and again is not None
    assert (first.finished, again.finished, again.total) == (1, 1, 3)
    await barrier.arrive(batch_id, "f2")
    last = await barrier.arrive(batch_id, "f3")
    assert last is not None and last.is_open


async def test_barrier_concurrent_arrivals_count_exactly(barrier: Barrier, batch_id: str) -> None:
    await barrier.prepare(batch_id, 50)
    counts = await asyncio.gather(*(barrier.arrive(batch_id, f"f{i % 50}") for i in range(100)))
    finished = sorted(c.finished for c in counts if c is not None)
    assert finished[-1] == 50
    assert sum(1 for c in counts if c is not None and c.is_open) >= 1


async def test_prepare_again_keeps_what_was_counted(barrier: Barrier, batch_id: str) -> None:
    await barrier.prepare(batch_id, 2)
    await barrier.arrive(batch_id, "f1")
    await barrier.prepare(batch_id, 2)
    count = await barrier.arrive(batch_id, "f2")
    assert count is not None and count.is_open


async def test_lost_barrier_reports_none_and_rebuild_restores_it(
    barrier: Barrier, batch_id: str, request: pytest.FixtureRequest
) -> None:
    await barrier.prepare(batch_id, 3)
    await barrier.arrive(batch_id, "f1")
    await lose(barrier, batch_id, request)
    assert await barrier.arrive(batch_id, "f2") is None
    await barrier.rebuild(batch_id, 3, ["f1", "f2"])
    count = await barrier.arrive(batch_id, "f3")
    assert count is not None and (count.finished, count.is_open) == (3, True)


async def test_progress_appends_once_per_event_id_and_resumes(
    progress: ProgressChannel, batch_id: str
) -> None:
    assert await progress.append(batch_id, event_id="e1", data={"n": 1}) is True
    assert await progress.append(batch_id, event_id="e1", data={"n": 1}) is False
    await progress.append(batch_id, event_id="e2", data={"n": 2})
    await progress.append(batch_id, event_id="e3", data={"n": 3})
    everything = await progress.read(batch_id, after=None, block_ms=0)
    assert [e.data["n"] for e in everything] == [1, 2, 3]
    rest = await progress.read(batch_id, after=everything[0].entry_id, block_ms=0)
    assert [e.data for e in rest] == [{"n": 2}, {"n": 3}]
    assert await progress.read(batch_id, after=everything[-1].entry_id, block_ms=0) == []


async def test_a_blocking_progress_read_waits_for_the_next_entry_or_times_out(
    progress: ProgressChannel, batch_id: str
) -> None:
    await progress.append(batch_id, event_id="e1", data={"n": 1})
    (first,) = await progress.read(batch_id, after=None, block_ms=0)
    assert await progress.read(batch_id, after=first.entry_id, block_ms=50) == []
    waiting = asyncio.create_task(progress.read(batch_id, after=first.entry_id, block_ms=10_000))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await progress.append(batch_id, event_id="e2", data={"n": 2})
    assert [e.data for e in await asyncio.wait_for(waiting, 5)] == [{"n": 2}]


async def test_cache_stores_and_forgets(cache: ReportCache, batch_id: str) -> None:
    assert await cache.get(batch_id) is None
    await cache.set(batch_id, b'{"a": 1}')
    assert await cache.get(batch_id) == b'{"a": 1}'
    await cache.delete(batch_id)
    assert await cache.get(batch_id) is None


async def test_real_cache_entries_expire(request: pytest.FixtureRequest, batch_id: str) -> None:
    pytest.importorskip("redis")
    adapters: Any = real_adapters(request)
    await adapters.cache.set(batch_id, b"x")
    ttl = await adapters.redis.ttl(f"argus:report:{batch_id}")
    assert 0 < ttl <= adapters.settings.redis.report_ttl_s


test_real_cache_entries_expire = pytest.mark.integration(test_real_cache_entries_expire)


async def test_progress_last_id_is_the_newest_entry_or_none(
    progress: ProgressChannel, batch_id: str
) -> None:
    assert await progress.last_id(batch_id) is None
    await progress.append(batch_id, event_id="e1", data={"n": 1})
    await progress.append(batch_id, event_id="e2", data={"n": 2})
    entries = await progress.read(batch_id, after=None, block_ms=0)
    assert await progress.last_id(batch_id) == entries[-1].entry_id
