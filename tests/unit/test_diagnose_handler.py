"""`DiagnoseHandler`: once per batch, precedents before, memory after; old rows still read."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from argus.application.gathering import DiagnoseHandler
from argus.domain.analysis import Diagnosis, Outcome, Precedent, diagnose_offline, gather
from argus.domain.batch import Batch
from argus.domain.events import BatchGathered, DiagnosisRequested
from tests.fakes.analysis import sample_files
from tests.fakes.diagnosis import CountingDiagnoser, FakeDiagnosisLock, FakeIncidentMemory
from tests.fakes.repositories import FakeReportRepository, FakeStore
from tests.fakes.templates import FakeTemplateMiner

pytestmark = pytest.mark.unit

PRECEDENT = Precedent("old-1", "veh-1", 0.9, "lidar", "high", "cable", Outcome.CONFIRMED)


async def gathered_store(batch_id: str) -> tuple[FakeStore, FakeReportRepository]:
    store = FakeStore()
    store.batches[batch_id] = Batch(batch_id=batch_id, vehicle_id="veh-1")
    reports = FakeReportRepository(store)
    result = gather(sample_files(), template_miner=FakeTemplateMiner())
    await reports.save_gathered(
        batch_id,
        summary=result.summary,
        anomalies=result.anomalies,
        event=BatchGathered(batch_id=batch_id, vehicle_id="veh-1", anomaly_count=1),
    )
    return store, reports


def handler(
    reports: FakeReportRepository, diagnoser: CountingDiagnoser, memory: FakeIncidentMemory
) -> DiagnoseHandler:
    return DiagnoseHandler(
        reports=reports,
        diagnoser=diagnoser,
        memory=memory,
        lock=FakeDiagnosisLock(),
        precedents_k=3,
    )


async def test_concurrent_and_repeated_deliveries_diagnose_once() -> None:
    store, reports = await gathered_store("b-1")
    diagnoser, memory = CountingDiagnoser(), FakeIncidentMemory()
    h = handler(reports, diagnoser, memory)
    await asyncio.gather(*(h.diagnose("b-1") for _ in range(5)))
    await h.handle(DiagnosisRequested(batch_id="b-1", vehicle_id="veh-1"))
    assert diagnoser.calls == 1
    assert memory.calls == ["similar", "remember"]
    assert "b-1" in store.diagnoses


async def test_precedents_are_asked_first_passed_on_and_shown_in_the_report() -> None:
    store, reports = await gathered_store("b-2")
    diagnoser, memory = CountingDiagnoser(), FakeIncidentMemory(precedents=[PRECEDENT])
    await handler(reports, diagnoser, memory).diagnose("b-2")
    assert diagnoser.seen_precedents == [(PRECEDENT,)]
    assert store.diagnoses["b-2"].precedents == (PRECEDENT,)
    assert memory.remembered[0][0] == "b-2"
    assert memory.remembered[0][1].precedents == (PRECEDENT,)


async def test_a_diagnosis_stored_before_the_model_fields_reads_as_the_rules() -> None:
    result = gather(sample_files(), template_miner=FakeTemplateMiner())
    new = diagnose_offline(summary=result.summary, anomalies=result.anomalies)
    old_row = {k: v for k, v in new.to_dict().items() if k in Diagnosis.__match_args__[:8]}
    old = Diagnosis.from_dict(old_row)
    # An old row has no chain: everything else reads back as the rules' diagnosis.
    assert old == replace(new, chain=(), cited_evidence_ids=())
    assert (old.llm_calls, old.chain, old.rule_diagnosis, old.model) == (0, (), None, None)
    assert set(new.to_dict()) >= {
        "model",
        "prompt_tokens",
        "completion_tokens",
        "token_budget",
        "llm_calls",
        "fallback_reason",
        "chain",
        "cited_evidence_ids",
        "precedents",
        "rule_diagnosis",
    }
