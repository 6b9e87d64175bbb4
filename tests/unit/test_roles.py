"""Role wiring: a stage that keeps failing ends its batch instead of leaving it stuck."""

from __future__ import annotations

import pytest

from argus.domain.batch import Batch, BatchStatus
from argus.domain.events import AllFilesParsed
from argus.workers.roles import fail_batch_on_give_up, once_per_event
from tests.fakes.repositories import FakeBatchRepository

pytestmark = pytest.mark.unit


async def test_giving_up_fails_the_batch_with_the_stage_and_error() -> None:
    repo = FakeBatchRepository()
    await repo.create(Batch(batch_id="b-1", vehicle_id="v", status=BatchStatus.GATHERING))
    give_up = fail_batch_on_give_up(repo, "gathering")
    await give_up(
        AllFilesParsed(batch_id="b-1", parsed_files=1, failed_files=0), RuntimeError("boom")
    )
    batch = await repo.get("b-1")
    assert batch is not None and batch.status is BatchStatus.FAILED
    assert batch.failure_reason is not None and "gathering kept failing" in batch.failure_reason


async def test_giving_up_on_an_unknown_batch_is_not_an_error() -> None:
    give_up = fail_batch_on_give_up(FakeBatchRepository(), "orchestration")
    await give_up(
        AllFilesParsed(batch_id="nope", parsed_files=0, failed_files=0), RuntimeError("x")
    )


async def test_an_event_is_handled_once_per_consumer() -> None:
    repo = FakeBatchRepository()
    calls: list[str] = []

    async def handle(event: object) -> None:
        calls.append("x")

    wrapped = once_per_event(repo, "agents", handle)
    event = AllFilesParsed(batch_id="b", parsed_files=1, failed_files=0)
    await wrapped(event)
    await wrapped(event)
    assert calls == ["x"]
