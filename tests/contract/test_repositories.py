"""Contracts of the PostgreSQL ports (batches, reports, outbox) and their fakes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from argus.application.ports import BatchRepository, Outbox, ReportRepository
from argus.domain.analysis import Diagnosis, FileResult, GatherResult, gather
from argus.domain.batch import Batch, BatchStatus
from argus.domain.errors import Conflict, FileExists, NotFound
from argus.domain.events import BatchGathered, DiagnosisCompleted, FileScattered
from argus.domain.log_file import FileStatus, LogFile
from argus.domain.upload_policy import UploadPolicy
from argus.infrastructure.postgres.outbox import PostgresOutbox
from tests.contract.conftest import FAKE, REAL, real_adapters
from tests.fakes.analysis import sample_files
from tests.fakes.repositories import FakeBatchRepository, FakeOutbox, FakeReportRepository
from tests.fakes.templates import FakeTemplateMiner


@dataclass
class Repos:
    batches: BatchRepository
    reports: ReportRepository
    outbox: Outbox


@pytest.fixture(params=[FAKE, REAL])
async def repos(request: pytest.FixtureRequest) -> Any:
    if request.param == "fake":
        fake = FakeBatchRepository()
        yield Repos(fake, FakeReportRepository(fake.store), FakeOutbox(fake.store))
        return
    adapters = real_adapters(request)
    outbox = PostgresOutbox(adapters.pg_url)
    yield Repos(adapters.batches, adapters.reports, outbox)
    await outbox.close()


def log_file(name: str, file_id: str | None = None) -> LogFile:
    return LogFile(
        file_id=file_id or f"{name}-id", name=name, size=5, sha256="a" * 64, blob_key=f"k/{name}"
    )


async def pending_batch(repos: Repos, batch_id: str, files: int = 2) -> None:
    await repos.batches.create(Batch(batch_id=batch_id, vehicle_id="veh-1"))
    for i in range(files):
        await repos.batches.add_file(batch_id, log_file(f"{batch_id}-{i}.mcap"))


async def test_create_is_idempotent_and_keeps_the_first_vehicle(
    repos: Repos, batch_id: str
) -> None:
    _, created = await repos.batches.create(Batch(batch_id=batch_id, vehicle_id="veh-1"))
    again, created_again = await repos.batches.create(Batch(batch_id=batch_id, vehicle_id="veh-2"))
    assert (created, created_again) == (True, False)
    assert again.vehicle_id == "veh-1" and again.status is BatchStatus.PENDING


async def test_add_file_replaces_by_name_when_asked_and_only_while_pending(
    repos: Repos, batch_id: str
) -> None:
    await pending_batch(repos, batch_id, files=1)
    with pytest.raises(FileExists):
        await repos.batches.add_file(
            batch_id, log_file(f"{batch_id}-0.mcap", file_id=f"{batch_id}-refused")
        )
    replaced = await repos.batches.add_file(
        batch_id,
        log_file(f"{batch_id}-0.mcap", file_id=f"{batch_id}-new"),
        policy=UploadPolicy(replace=True),
    )
    assert replaced is not None and replaced.file_id == f"{batch_id}-0.mcap-id"
    batch = await repos.batches.get(batch_id)
    assert batch is not None and [f.file_id for f in batch.files] == [f"{batch_id}-new"]
    await repos.batches.mutate(batch_id, lambda b: b.complete_upload())
    with pytest.raises(Conflict):
        await repos.batches.add_file(batch_id, log_file("late.mcap", file_id=f"{batch_id}-late"))
    with pytest.raises(NotFound):
        await repos.batches.add_file("no-such-batch", log_file("x.mcap", file_id=f"{batch_id}-x"))


async def test_mutate_stores_state_files_and_events_together(repos: Repos, batch_id: str) -> None:
    await pending_batch(repos, batch_id, files=3)
    await repos.batches.mutate(batch_id, lambda b: b.complete_upload())
    await repos.batches.mutate(batch_id, lambda b: b.scatter())
    batch = await repos.batches.get(batch_id)
    assert batch is not None and batch.status is BatchStatus.SCATTERING
    assert {f.status for f in batch.files} == {FileStatus.PARSING}
    claimed = [e for _, e in await repos.outbox.claim(10_000) if e.batch_id == batch_id]
    types = [type(e).__name__ for e in claimed]
    assert types.count("FileScattered") == 3 and types.count("BatchUploaded") == 1
    assert types.count("BatchStatusChanged") == 2


async def test_a_failing_change_stores_nothing(repos: Repos, batch_id: str) -> None:
    await pending_batch(repos, batch_id, files=0)
    with pytest.raises(Conflict):
        await repos.batches.mutate(batch_id, lambda b: b.complete_upload())
    batch = await repos.batches.get(batch_id)
    assert batch is not None and batch.status is BatchStatus.PENDING
    assert [e for _, e in await repos.outbox.claim(10_000) if e.batch_id == batch_id] == []


async def test_first_file_outcome_wins_and_feeds_the_barrier_truth(
    repos: Repos, batch_id: str
) -> None:
    await pending_batch(repos, batch_id, files=2)
    await repos.batches.mutate(batch_id, lambda b: b.complete_upload())
    await repos.batches.mutate(batch_id, lambda b: b.scatter())
    file_id = f"{batch_id}-0.mcap-id"
    first = await repos.batches.record_file_result(
        batch_id, file_id, parsed=True, summary_key="s", reason=None
    )
    late = await repos.batches.record_file_result(
        batch_id, file_id, parsed=False, summary_key=None, reason="x"
    )
    assert (first, late) == (True, False)
    assert await repos.batches.finished_file_ids(batch_id) == (2, [file_id])
    overview = await repos.batches.overview(batch_id)
    assert overview is not None
    assert (
        overview.file_counts[FileStatus.PARSED] == 1
        and overview.file_counts[FileStatus.PARSING] == 1
    )


async def test_concurrent_mutations_serialise(repos: Repos, batch_id: str) -> None:
    await pending_batch(repos, batch_id, files=1)
    results = await asyncio.gather(
        *(repos.batches.mutate(batch_id, lambda b: b.complete_upload()) for _ in range(10))
    )
    assert results.count(True) == 1
    created = [
        e
        for _, e in await repos.outbox.claim(10_000)
        if type(e).__name__ == "BatchUploaded" and e.batch_id == batch_id
    ]
    assert len(created) == 1


async def test_parallel_uploads_of_different_files_are_all_recorded(
    repos: Repos, batch_id: str
) -> None:
    await pending_batch(repos, batch_id, files=0)
    replaced = await asyncio.gather(
        *(repos.batches.add_file(batch_id, log_file(f"{batch_id}-{i}.mcap")) for i in range(12))
    )
    assert replaced == [None] * 12
    batch = await repos.batches.get(batch_id)
    assert batch is not None and len(batch.files) == 12


async def test_parallel_outcomes_of_one_file_store_exactly_one(repos: Repos, batch_id: str) -> None:
    await pending_batch(repos, batch_id, files=1)
    await repos.batches.mutate(batch_id, lambda b: b.complete_upload())
    await repos.batches.mutate(batch_id, lambda b: b.scatter())
    file_id = f"{batch_id}-0.mcap-id"
    won = await asyncio.gather(
        *(
            repos.batches.record_file_result(
                batch_id, file_id, parsed=i % 2 == 0, summary_key=f"s{i}", reason="x"
            )
            for i in range(8)
        )
    )
    assert won.count(True) == 1
    assert await repos.batches.finished_file_ids(batch_id) == (1, [file_id])
    assert not await repos.batches.record_file_result(
        batch_id, "no-such-file", parsed=True, summary_key="s", reason=None
    )


async def test_list_filters_by_vehicle_and_status_and_pages(repos: Repos, batch_id: str) -> None:
    vehicle = f"veh-{batch_id}"
    for i in range(5):
        await repos.batches.create(Batch(batch_id=f"{batch_id}-{i}", vehicle_id=vehicle))
    page = await repos.batches.list_batches(
        vehicle_id=vehicle, status=BatchStatus.PENDING, limit=2, offset=0
    )
    assert page.total == 5 and len(page.items) == 2
    rest = await repos.batches.list_batches(vehicle_id=vehicle, status=None, limit=10, offset=2)
    assert len(rest.items) == 3
    none = await repos.batches.list_batches(
        vehicle_id=vehicle, status=BatchStatus.FAILED, limit=10, offset=0
    )
    assert none.total == 0


async def test_processed_events_are_remembered_per_consumer(repos: Repos, batch_id: str) -> None:
    assert await repos.batches.was_processed("orchestrator", batch_id) is False
    assert await repos.batches.mark_processed("orchestrator", batch_id) is True
    assert await repos.batches.mark_processed("orchestrator", batch_id) is False
    assert await repos.batches.was_processed("orchestrator", batch_id) is True
    assert await repos.batches.was_processed("aggregators", batch_id) is False


def _gathered(files: list[FileResult]) -> GatherResult:
    return gather(files, template_miner=FakeTemplateMiner())


async def test_gathered_report_and_its_event_are_stored_once(repos: Repos, batch_id: str) -> None:
    await pending_batch(repos, batch_id, files=1)
    first, second = _gathered(sample_files()), _gathered([])
    event = BatchGathered(batch_id=batch_id, vehicle_id="veh-1", anomaly_count=0)
    stored = await repos.reports.save_gathered(
        batch_id, summary=first.summary, anomalies=first.anomalies, event=event
    )
    again = await repos.reports.save_gathered(
        batch_id,
        summary=second.summary,
        anomalies=second.anomalies,
        event=BatchGathered(batch_id=batch_id, vehicle_id="v", anomaly_count=0),
    )
    assert (stored, again) == (True, False)
    record = await repos.reports.load(batch_id)
    assert record is not None and record.diagnosis is None
    # Typed values come back equal: every part of the summary survives the jsonb column.
    assert record.summary == first.summary
    assert record.anomalies == tuple(first.anomalies) and len(first.anomalies) >= 3
    gathered = [
        e
        for _, e in await repos.outbox.claim(10_000)
        if isinstance(e, BatchGathered) and e.batch_id == batch_id
    ]
    assert len(gathered) == 1


async def test_a_diagnosis_is_stored_once_and_read_back_typed(repos: Repos, batch_id: str) -> None:
    await pending_batch(repos, batch_id, files=1)
    gathered = _gathered(sample_files())
    await repos.reports.save_gathered(
        batch_id,
        summary=gathered.summary,
        anomalies=gathered.anomalies,
        event=BatchGathered(batch_id=batch_id, vehicle_id="veh-1", anomaly_count=3),
    )
    diagnosis = Diagnosis(
        component="lidar",
        root_cause="link lost",
        severity="high",
        confidence=0.7,
        evidence=("dropout",),
        actions=("check the cable",),
        engine="test",
        related_anomalies=(0,),
    )
    other = Diagnosis("none", "-", "info", 0.1, (), (), "test", ())
    done = DiagnosisCompleted(batch_id=batch_id, component="lidar", severity="high")
    assert await repos.reports.save_diagnosis(batch_id, diagnosis=diagnosis, event=done)
    assert not await repos.reports.save_diagnosis(batch_id, diagnosis=other, event=done)
    record = await repos.reports.load(batch_id)
    assert record is not None and record.diagnosis == diagnosis


async def test_published_events_are_not_claimed_again(repos: Repos, batch_id: str) -> None:
    await pending_batch(repos, batch_id, files=1)
    await repos.batches.mutate(batch_id, lambda b: b.complete_upload())
    await repos.batches.mutate(batch_id, lambda b: b.scatter())
    mine = [(i, e) for i, e in await repos.outbox.claim(10_000) if e.batch_id == batch_id]
    assert any(isinstance(e, FileScattered) for _, e in mine)
    await repos.outbox.mark_published([i for i, _ in mine])
    assert [e for _, e in await repos.outbox.claim(10_000) if e.batch_id == batch_id] == []


async def test_unknown_report_is_none(repos: Repos) -> None:
    assert await repos.reports.load("never-created") is None


async def test_abandoned_uploads_are_pending_batches_untouched_since_before_the_cutoff(
    repos: Repos, batch_id: str
) -> None:
    await pending_batch(repos, batch_id, files=1)
    completed = f"{batch_id}-done"
    await pending_batch(repos, completed, files=1)
    await repos.batches.mutate(completed, lambda b: b.complete_upload())
    batch = await repos.batches.get(batch_id)
    done = await repos.batches.get(completed)
    assert batch is not None and done is not None
    after_both = max(batch.updated_at, done.updated_at) + timedelta(microseconds=1)
    # Other tests' batches share the real database: a limit above all of them.
    found = await repos.batches.abandoned_uploads(after_both, 1_000_000)
    assert batch_id in found and completed not in found
    assert batch_id not in await repos.batches.abandoned_uploads(batch.updated_at, 1_000_000)
    assert len(await repos.batches.abandoned_uploads(after_both, 1)) == 1
    # Oldest first.
    ages = [await repos.batches.get(b) for b in found]
    stamps = [b.updated_at for b in ages if b is not None]
    assert stamps == sorted(stamps)
