"""Feedback through the application service: stored, cache dropped, shown in the report."""

from __future__ import annotations

import json

import pytest

from argus.application.feedback import FeedbackService
from argus.application.queries import ReportQuery
from argus.domain.analysis import Diagnosis
from argus.domain.analysis.feedback import Feedback
from argus.domain.batch import Batch, BatchStatus
from argus.domain.errors import Unavailable
from tests.fakes.messaging import FakeReportCache
from tests.fakes.repositories import (
    FakeBatchRepository,
    FakeFeedbackRepository,
    FakeReportRepository,
)

pytestmark = pytest.mark.unit


class BrokenCache(FakeReportCache):
    async def delete(self, batch_id: str) -> None:
        raise Unavailable("redis is away")


def diagnosed_store() -> FakeBatchRepository:
    repo = FakeBatchRepository()
    repo.store.batches["b-1"] = Batch(
        batch_id="b-1", vehicle_id="veh", status=BatchStatus.COMPLETED
    )
    repo.store.diagnoses["b-1"] = Diagnosis("lidar", "link", "high", 0.5, (), (), "test", ())
    return repo


async def test_feedback_drops_the_cached_report_so_the_next_read_shows_it() -> None:
    repo, cache = diagnosed_store(), FakeReportCache()
    query = ReportQuery(reports=FakeReportRepository(repo.store), cache=cache)
    assert json.loads((await query.get("b-1")).body)["feedback"] is None
    assert "b-1" in cache.entries
    service = FeedbackService(feedback=FakeFeedbackRepository(repo.store), cache=cache)
    _, created = await service.submit("b-1", Feedback.parse(verdict="confirmed", note="ok"))
    assert created and "b-1" not in cache.entries
    shown = json.loads((await query.get("b-1")).body)["feedback"]
    assert (shown["verdict"], shown["note"], shown["component"]) == ("confirmed", "ok", None)


async def test_feedback_is_stored_even_when_the_cache_is_away() -> None:
    repo = diagnosed_store()
    service = FeedbackService(feedback=FakeFeedbackRepository(repo.store), cache=BrokenCache())
    stored, created = await service.submit("b-1", Feedback.parse(verdict="confirmed"))
    assert created and repo.store.feedback["b-1"] == stored
