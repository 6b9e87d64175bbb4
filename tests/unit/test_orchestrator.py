"""The orchestrator and its barrier, driven through fakes of every port."""

from __future__ import annotations

import asyncio

import pytest

from argus.application.orchestrator import Orchestrator
from argus.domain.batch import Batch, BatchStatus
from argus.domain.errors import IllegalTransition
from argus.domain.events import (
    AllFilesParsed,
    BatchGathered,
    BatchStatusChanged,
    BatchUploaded,
    DiagnosisCompleted,
    DiagnosisRequested,
    Event,
    FileParsed,
    FileParseFailed,
)
from argus.domain.log_file import LogFile
from tests.fakes.messaging import FakeBarrier
from tests.fakes.repositories import FakeBatchRepository

pytestmark = pytest.mark.unit


async def scattered_batch(files: int) -> tuple[FakeBatchRepository, FakeBarrier, Orchestrator]:
    repo, barrier = FakeBatchRepository(), FakeBarrier()
    batch = Batch(batch_id="b-1", vehicle_id="veh-1")
    for i in range(files):
        batch.add_file(
            LogFile(file_id=f"f{i}", name=f"{i}.mcap", size=1, sha256="0" * 64, blob_key=f"k{i}")
        )
    await repo.create(batch)
    await repo.mutate("b-1", lambda b: b.complete_upload())
    orchestrator = Orchestrator(batches=repo, barrier=barrier)
    await orchestrator.handle(BatchUploaded(batch_id="b-1", vehicle_id="veh-1", total_files=files))
    return repo, barrier, orchestrator


def opened(repo: FakeBatchRepository) -> int:
    return sum(1 for _, e, _ in repo.store.outbox if isinstance(e, AllFilesParsed))


def parsed(file_id: str) -> FileParsed:
    return FileParsed(
        batch_id="b-1", file_id=file_id, summary_key="s", message_count=1, engine="python"
    )


async def test_batch_uploaded_scatters_once_even_when_redelivered() -> None:
    repo, _, orchestrator = await scattered_batch(3)
    await orchestrator.handle(BatchUploaded(batch_id="b-1", vehicle_id="veh-1", total_files=3))
    batch = await repo.get("b-1")
    assert batch is not None and batch.status is BatchStatus.SCATTERING
    scattered = [e for _, e, _ in repo.store.outbox if type(e).__name__ == "FileScattered"]
    assert len(scattered) == 3


async def test_duplicate_file_parsed_event_counts_once() -> None:
    repo, barrier, orchestrator = await scattered_batch(2)
    event = parsed("f0")
    await orchestrator.handle(event)
    await orchestrator.handle(event)
    assert barrier.counters["b-1"][1] == {"f0"}
    assert opened(repo) == 0
    await orchestrator.handle(parsed("f1"))
    assert opened(repo) == 1


async def test_two_last_files_finishing_together_open_the_barrier_once() -> None:
    repo, _, orchestrator = await scattered_batch(3)
    await orchestrator.handle(parsed("f0"))
    await asyncio.gather(orchestrator.handle(parsed("f1")), orchestrator.handle(parsed("f2")))
    await asyncio.gather(*(orchestrator.handle(parsed(f"f{i}")) for i in range(3)))
    assert opened(repo) == 1
    batch = await repo.get("b-1")
    assert batch is not None and batch.status is BatchStatus.GATHERING


async def test_lost_barrier_is_rebuilt_from_the_repository() -> None:
    repo, barrier, orchestrator = await scattered_batch(3)
    await orchestrator.handle(parsed("f0"))
    await orchestrator.handle(parsed("f1"))
    barrier.counters.clear()  # Redis restarted without its data
    await orchestrator.handle(parsed("f2"))
    assert opened(repo) == 1


async def test_a_failed_file_counts_towards_the_barrier_with_its_reason() -> None:
    repo, _, orchestrator = await scattered_batch(2)
    await orchestrator.handle(parsed("f0"))
    await orchestrator.handle(
        FileParseFailed(batch_id="b-1", file_id="f1", reason="truncated at byte 7")
    )
    batch = await repo.get("b-1")
    assert batch is not None and batch.status is BatchStatus.GATHERING
    failed = batch.file("f1")
    assert failed is not None and failed.failure_reason == "truncated at byte 7"
    [event] = [e for _, e, _ in repo.store.outbox if isinstance(e, AllFilesParsed)]
    assert (event.parsed_files, event.failed_files) == (1, 1)


async def test_a_file_parsed_twice_is_one_progress_entry() -> None:
    from argus.application.progress import ProgressProjector
    from tests.fakes.messaging import FakeProgressChannel

    channel = FakeProgressChannel()
    projector = ProgressProjector(channel=channel)
    first, again = parsed("f0"), parsed("f0")  # a re-parse after a crash: a new event id
    assert first.event_id != again.event_id
    await projector.handle(first)
    await projector.handle(again)
    await projector.handle(FileParseFailed(batch_id="b-1", file_id="f0", reason="late"))
    assert [e.data["type"] for e in channel.streams["b-1"]] == ["file_parsed"]


async def test_a_redelivered_batch_uploaded_after_the_counter_was_lost_does_not_recreate_it() -> (
    None
):
    repo, barrier, orchestrator = await scattered_batch(2)
    await orchestrator.handle(parsed("f0"))
    barrier.counters.clear()  # lost
    await orchestrator.handle(BatchUploaded(batch_id="b-1", vehicle_id="veh-1", total_files=2))
    assert "b-1" not in barrier.counters  # not re-created empty
    await orchestrator.handle(parsed("f1"))  # rebuilt from the repository instead
    assert opened(repo) == 1


async def gathered_batch() -> tuple[FakeBatchRepository, Orchestrator]:
    repo, _, orchestrator = await scattered_batch(1)
    await orchestrator.handle(parsed("f0"))
    batch = await repo.get("b-1")
    assert batch is not None and batch.status is BatchStatus.GATHERING
    return repo, orchestrator


def requested(repo: FakeBatchRepository) -> list[Event]:
    return [e for _, e, _ in repo.store.outbox if isinstance(e, DiagnosisRequested)]


async def test_batch_gathered_moves_to_diagnosing_and_requests_the_diagnosis_once() -> None:
    repo, orchestrator = await gathered_batch()
    gathered = BatchGathered(batch_id="b-1", vehicle_id="veh-1", anomaly_count=0)
    await orchestrator.handle(gathered)
    await orchestrator.handle(gathered)  # redelivered
    batch = await repo.get("b-1")
    assert batch is not None and batch.status is BatchStatus.DIAGNOSING
    assert len(requested(repo)) == 1
    # In the outbox (one transaction), the request comes right after the state it needs.
    events = [e for _, e, _ in repo.store.outbox]
    index = events.index(requested(repo)[0])
    previous = events[index - 1]
    assert isinstance(previous, BatchStatusChanged) and previous.status == "diagnosing"


async def test_a_diagnosis_completed_cannot_arrive_before_the_batch_is_diagnosing() -> None:
    """The agent consumes only DiagnosisRequested, which exists only once the batch is
    `diagnosing`: the race between the agent and the orchestrator on BatchGathered is gone."""
    from argus.workers.roles import only

    repo, orchestrator = await gathered_batch()
    diagnosed: list[Event] = []

    async def agent(event: Event) -> None:  # the role's filter, around a stand-in diagnoser
        diagnosed.append(DiagnosisCompleted(batch_id=event.batch_id, component="x", severity="low"))

    agent_role = only((DiagnosisRequested,), agent)
    gathered = BatchGathered(batch_id="b-1", vehicle_id="veh-1", anomaly_count=0)
    await agent_role(gathered)  # the agent sees BatchGathered first: it does nothing
    assert diagnosed == [] and requested(repo) == []
    await orchestrator.handle(gathered)
    for event in requested(repo):
        await agent_role(event)
    assert len(diagnosed) == 1
    await orchestrator.handle(diagnosed[0])
    batch = await repo.get("b-1")
    assert batch is not None and batch.status is BatchStatus.COMPLETED


async def test_a_diagnosis_completed_for_a_gathering_batch_is_refused_not_absorbed() -> None:
    repo, orchestrator = await gathered_batch()
    early = DiagnosisCompleted(batch_id="b-1", component="x", severity="low")
    with pytest.raises(IllegalTransition):
        await orchestrator.handle(early)
    batch = await repo.get("b-1")
    assert batch is not None and batch.status is BatchStatus.GATHERING
