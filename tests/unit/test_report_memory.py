"""Finished reports kept in process (decision 0030): bounded by bytes, ETag, gzip, and feedback
seen by this process at once and by another after at most `fresh_s`. Counted, never timed."""

from __future__ import annotations

import gzip
import json

import pytest

from argus.application.feedback import FeedbackService
from argus.application.queries import ReportQuery
from argus.application.report_memory import ReportMemory, StoredReport
from argus.domain.analysis import Diagnosis
from argus.domain.analysis.feedback import Feedback
from argus.domain.batch import Batch, BatchStatus
from tests.fakes.messaging import FakeReportCache
from tests.fakes.repositories import (
    FakeBatchRepository,
    FakeFeedbackRepository,
    FakeReportRepository,
)

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class CountingCache(FakeReportCache):
    def __init__(self) -> None:
        super().__init__()
        self.gets = 0

    async def get(self, batch_id: str) -> bytes | None:
        self.gets += 1
        return await super().get(batch_id)


def store_with(*batch_ids: str) -> FakeBatchRepository:
    repo = FakeBatchRepository()
    for batch_id in batch_ids:
        repo.store.batches[batch_id] = Batch(
            batch_id=batch_id, vehicle_id="veh", status=BatchStatus.COMPLETED
        )
        diagnosis = Diagnosis("lidar", "link " * 300, "high", 0.5, (), (), "test", ())
        repo.store.diagnoses[batch_id] = diagnosis
    return repo


def test_the_etag_is_of_the_bytes_and_the_gzip_variant_is_their_compression() -> None:
    body = json.dumps({"text": "lidar " * 500}).encode()
    one, two = StoredReport.of(body, 0), StoredReport.of(body, 5)
    assert one.etag == two.etag and one.etag.startswith('"') and one.etag.endswith('"')
    assert StoredReport.of(body + b" ", 0).etag != one.etag
    assert one.gzip_body is not None and gzip.decompress(one.gzip_body) == body
    assert StoredReport.of(b"{}", 0).gzip_body is None  # too small to be worth it


def test_memory_is_bounded_by_bytes_and_evicts_the_least_recently_used() -> None:
    body = b"x" * 400  # no gzip variant below 1 KiB: 400 bytes an entry
    memory = ReportMemory(max_bytes=1000, fresh_s=60)
    memory.put("a", body)
    memory.put("b", body)
    assert memory.get("a") is not None  # "b" is now the least recently used
    memory.put("c", body)
    assert (memory.get("b"), len(memory), memory.bytes) == (None, 2, 800)
    assert memory.get("a") is not None and memory.get("c") is not None
    assert (memory.hits, memory.misses) == (3, 1)
    memory.put("huge", b"y" * 2000)  # larger than the bound alone: never kept
    assert memory.get("huge") is None and memory.bytes == 800


async def test_hot_reads_are_served_from_memory_without_asking_the_cache() -> None:
    repo, cache = store_with("b-1"), CountingCache()
    reports = FakeReportRepository(repo.store)
    memory = ReportMemory(max_bytes=1 << 20, fresh_s=60)
    query = ReportQuery(reports=reports, cache=cache, memory=memory)
    first = await query.get("b-1")
    gets_after_first = cache.gets
    views = [await query.get("b-1") for _ in range(100)]
    assert reports.reads == 1 and cache.gets == gets_after_first  # no Redis call per hot read
    assert {(v.body, v.etag) for v in views} == {(first.body, first.etag)}
    assert memory.hits == 100


async def test_feedback_is_seen_here_at_once_and_by_another_process_within_fresh_s() -> None:
    repo, cache, clock = store_with("b-1"), FakeReportCache(), Clock()
    here_memory = ReportMemory(max_bytes=1 << 20, fresh_s=2, clock=clock)
    there_memory = ReportMemory(max_bytes=1 << 20, fresh_s=2, clock=clock)
    here = ReportQuery(reports=FakeReportRepository(repo.store), cache=cache, memory=here_memory)
    there = ReportQuery(reports=FakeReportRepository(repo.store), cache=cache, memory=there_memory)
    assert json.loads((await here.get("b-1")).body)["feedback"] is None
    assert json.loads((await there.get("b-1")).body)["feedback"] is None
    service = FeedbackService(
        feedback=FakeFeedbackRepository(repo.store), cache=cache, memory=here_memory
    )
    await service.submit("b-1", Feedback.parse(verdict="confirmed"))
    assert json.loads((await here.get("b-1")).body)["feedback"]["verdict"] == "confirmed"
    clock.now = 2.0  # not yet past the bound: the other process still has the old bytes
    assert json.loads((await there.get("b-1")).body)["feedback"] is None
    clock.now = 2.5
    assert json.loads((await there.get("b-1")).body)["feedback"]["verdict"] == "confirmed"


async def test_unfinished_reports_are_never_kept_in_memory() -> None:
    repo = FakeBatchRepository()
    repo.store.batches["b-2"] = Batch(
        batch_id="b-2", vehicle_id="veh", status=BatchStatus.SCATTERING
    )
    reports = FakeReportRepository(repo.store)
    memory = ReportMemory(max_bytes=1 << 20, fresh_s=60)
    query = ReportQuery(reports=reports, cache=FakeReportCache(), memory=memory)
    views = [await query.get("b-2") for _ in range(3)]
    assert reports.reads == 3 and len(memory) == 0
    assert {(v.ready, v.etag) for v in views} == {(False, None)}
