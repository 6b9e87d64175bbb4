"""Contracts of the IncidentMemory and FeedbackRepository ports: pgvector and the fakes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from argus.application.diagnosis.embedding import Embedder
from argus.application.diagnosis.ports import IncidentMemory
from argus.application.ports import BatchRepository, FeedbackRepository, ReportRepository
from argus.domain.analysis import Anomaly, Diagnosis, gather
from argus.domain.analysis.feedback import Feedback
from argus.domain.analysis.precedents import Outcome
from argus.domain.batch import Batch
from argus.domain.errors import Conflict, NotFound
from argus.domain.events import BatchGathered, DiagnosisCompleted
from argus.infrastructure.embeddings.hashed import HashedSignatureEmbedder
from argus.infrastructure.postgres.feedback_repository import PostgresFeedbackRepository
from argus.infrastructure.postgres.incident_memory import PostgresIncidentMemory
from tests.contract.conftest import FAKE, REAL, real_adapters
from tests.fakes.incident_memory import FakeIncidentMemory
from tests.fakes.repositories import (
    FakeBatchRepository,
    FakeFeedbackRepository,
    FakeReportRepository,
)
from tests.fakes.templates import FakeTemplateMiner

SUMMARY = gather([], template_miner=FakeTemplateMiner()).summary
LIDAR = (Anomaly("sensor_dropout", "lidar", 3.0, "lidar silent", None, None, ()),)
LIDAR_AND_CAMERA = (*LIDAR, Anomaly("sensor_dropout", "camera", 2.0, "camera", None, None, ()))
CAN = (Anomaly("error_burst", "can", 3.0, "bus-off", None, None, ()),)


@dataclass
class Memory:
    batches: BatchRepository
    reports: ReportRepository
    feedback: FeedbackRepository
    memory_with: Callable[[str, Embedder], IncidentMemory]  # (fleet id, embedder) → a memory

    def memory_of(self, fleet: str) -> IncidentMemory:
        """The fleet's memory with the default (hashed) embedder."""
        return self.memory_with(fleet, HashedSignatureEmbedder())

    async def diagnosed(
        self, fleet: str, anomalies: tuple[Anomaly, ...], component: str, remember: bool = True
    ) -> str:
        """A new batch of `fleet` with a stored diagnosis, remembered by the fleet's memory."""
        batch_id = f"m-{uuid.uuid4().hex[:12]}"
        await self.batches.create(Batch(batch_id=batch_id, vehicle_id="veh-1"))
        await self.reports.save_gathered(
            batch_id,
            summary=SUMMARY,
            anomalies=anomalies,
            event=BatchGathered(batch_id=batch_id, vehicle_id="veh-1", anomaly_count=1),
        )
        diagnosis = Diagnosis(component, f"{component} failed", "high", 0.8, (), (), "test", ())
        await self.reports.save_diagnosis(
            batch_id,
            diagnosis=diagnosis,
            event=DiagnosisCompleted(batch_id=batch_id, component=component, severity="high"),
        )
        if remember:
            await self.memory_of(fleet).remember(
                batch_id=batch_id,
                vehicle_id="veh-1",
                summary=SUMMARY,
                anomalies=anomalies,
                diagnosis=diagnosis,
            )
        return batch_id

    async def similar(
        self, fleet: str, anomalies: tuple[Anomaly, ...], batch_id: str = "new"
    ) -> Any:
        return await self.memory_of(fleet).similar(
            batch_id=batch_id, vehicle_id="veh-2", summary=SUMMARY, anomalies=anomalies, k=3
        )


@pytest.fixture(params=[FAKE, REAL])
def memory(request: pytest.FixtureRequest) -> Memory:
    if request.param == "fake":
        fake = FakeBatchRepository()
        return Memory(
            fake,
            FakeReportRepository(fake.store),
            FakeFeedbackRepository(fake.store),
            lambda fleet, embedder: FakeIncidentMemory(
                fake.store, embedder=embedder, fleet_id=fleet, candidates=10, min_similarity=0.5
            ),
        )
    adapters = real_adapters(request)
    return Memory(
        adapters.batches,
        adapters.reports,
        PostgresFeedbackRepository(adapters.pool),
        lambda fleet, embedder: PostgresIncidentMemory(
            adapters.pool, embedder=embedder, fleet_id=fleet, candidates=10, min_similarity=0.5
        ),
    )


@pytest.fixture
def fleet() -> str:
    """A fleet per test: tests share the database, never a fleet."""
    return f"fleet-{uuid.uuid4().hex[:8]}"


async def test_similar_returns_the_closest_incidents_of_the_fleet_most_similar_first(
    memory: Memory, fleet: str
) -> None:
    same = await memory.diagnosed(fleet, LIDAR, "lidar")
    close = await memory.diagnosed(fleet, LIDAR_AND_CAMERA, "power")
    await memory.diagnosed(fleet, CAN, "can")
    found = await memory.similar(fleet, LIDAR)
    assert [p.batch_id for p in found] == [same, close]  # the CAN incident is not similar
    assert found[0].similarity == pytest.approx(1.0)
    assert found[0].similarity > found[1].similarity >= 0.5
    assert (found[1].component, found[1].outcome, found[1].vehicle_id) == (
        "power",
        Outcome.UNREVIEWED,
        "veh-1",
    )


async def test_the_batch_itself_is_never_its_own_precedent(memory: Memory, fleet: str) -> None:
    batch_id = await memory.diagnosed(fleet, LIDAR, "lidar")
    other = await memory.diagnosed(fleet, LIDAR, "lidar")
    assert [p.batch_id for p in await memory.similar(fleet, LIDAR, batch_id)] == [other]


async def test_other_fleets_incidents_are_never_returned(memory: Memory, fleet: str) -> None:
    await memory.diagnosed(f"{fleet}-other", LIDAR, "lidar")
    assert await memory.similar(fleet, LIDAR) == []
    mine = await memory.diagnosed(fleet, LIDAR, "lidar")
    assert [p.batch_id for p in await memory.similar(fleet, LIDAR)] == [mine]


class _OtherModel(HashedSignatureEmbedder):
    """Equal vectors under another name: as if another model had made them."""

    name = "other-model"


async def test_vectors_of_another_embedder_are_never_compared(memory: Memory, fleet: str) -> None:
    await memory.diagnosed(fleet, LIDAR, "lidar")
    other = memory.memory_with(fleet, _OtherModel())
    found = await other.similar(
        batch_id="new", vehicle_id="veh-2", summary=SUMMARY, anomalies=LIDAR, k=3
    )
    assert found == []
    assert len(await memory.similar(fleet, LIDAR)) == 1  # the hashed embedder's own vector


async def test_reviewed_incidents_come_first_with_the_corrected_outcome(
    memory: Memory, fleet: str
) -> None:
    closest = await memory.diagnosed(fleet, LIDAR, "lidar")
    corrected = await memory.diagnosed(fleet, LIDAR_AND_CAMERA, "lidar")
    await memory.feedback.save(
        corrected,
        Feedback.parse(
            verdict="corrected", component="power", root_cause="PDU brown-out", note="n"
        ),
    )
    found = await memory.similar(fleet, LIDAR)
    assert [p.batch_id for p in found] == [corrected, closest]
    first = found[0]
    assert (first.component, first.root_cause, first.severity, first.outcome, first.note) == (
        "power",
        "PDU brown-out",
        "high",  # not corrected: the diagnosis' severity stays
        Outcome.CORRECTED,
        "n",
    )


async def test_a_batch_not_remembered_is_not_found(memory: Memory, fleet: str) -> None:
    await memory.diagnosed(fleet, LIDAR, "lidar", remember=False)
    assert await memory.similar(fleet, LIDAR) == []


async def test_feedback_is_upserted_and_the_latest_wins(memory: Memory, fleet: str) -> None:
    batch_id = await memory.diagnosed(fleet, LIDAR, "lidar")
    first, created = await memory.feedback.save(batch_id, Feedback.parse(verdict="confirmed"))
    second, created_again = await memory.feedback.save(
        batch_id, Feedback.parse(verdict="corrected", severity="critical")
    )
    assert (created, created_again) == (True, False)
    assert second.created_at == first.created_at
    assert first.updated_at is not None and second.updated_at is not None
    assert second.updated_at >= first.updated_at
    record = await memory.reports.load(batch_id)
    assert record is not None and record.feedback == second
    assert record.feedback.verdict is Outcome.CORRECTED


async def test_feedback_needs_a_known_and_diagnosed_batch(memory: Memory) -> None:
    with pytest.raises(NotFound):
        await memory.feedback.save("never-created", Feedback.parse(verdict="confirmed"))
    batch_id = f"m-{uuid.uuid4().hex[:12]}"
    await memory.batches.create(Batch(batch_id=batch_id, vehicle_id="veh-1"))
    with pytest.raises(Conflict):
        await memory.feedback.save(batch_id, Feedback.parse(verdict="confirmed"))
    record = await memory.reports.load(batch_id)
    assert record is not None and record.feedback is None
