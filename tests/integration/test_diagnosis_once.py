"""At most one model call per batch: concurrent deliveries across handlers and a redelivery,
against real PostgreSQL (the advisory lock) and the stub model server (which counts calls)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from argus.application.diagnosis.llm_diagnoser import LlmDiagnoser
from argus.application.diagnosis.tokens import ByteBoundCounter
from argus.application.gathering import DiagnoseHandler
from argus.bootstrap import Adapters
from argus.domain.analysis import gather
from argus.domain.batch import Batch
from argus.domain.events import BatchGathered, DiagnosisRequested
from argus.infrastructure.llm import OpenAiChatModel
from argus.infrastructure.postgres.diagnosis_lock import PostgresDiagnosisLock
from tests.fakes.analysis import sample_files
from tests.fakes.diagnosis import NoMemory
from tests.fakes.templates import FakeTemplateMiner
from tests.llm_stub import StubLlm, chat_model, running_stub

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stub() -> Iterator[StubLlm]:
    with running_stub() as server:
        yield server


async def gathered_batch(adapters: Adapters, batch_id: str) -> None:
    await adapters.batches.create(Batch(batch_id=batch_id, vehicle_id="veh-1"))
    result = gather(sample_files(), template_miner=FakeTemplateMiner())
    await adapters.reports.save_gathered(
        batch_id,
        summary=result.summary,
        anomalies=result.anomalies,
        event=BatchGathered(batch_id=batch_id, vehicle_id="veh-1", anomaly_count=1),
    )


def agent(adapters: Adapters, chat: OpenAiChatModel) -> DiagnoseHandler:
    """One agent process' handler: its own diagnoser, sharing only the database and model."""
    diagnoser = LlmDiagnoser(model=chat, counter=ByteBoundCounter(), token_budget=3000)
    return DiagnoseHandler(
        reports=adapters.reports,
        diagnoser=diagnoser,
        memory=NoMemory(),
        lock=PostgresDiagnosisLock(adapters.pool),
        precedents_k=3,
    )


async def test_concurrent_deliveries_and_a_redelivery_call_the_model_once(
    adapters: Adapters, stub: StubLlm, batch_id: str
) -> None:
    await gathered_batch(adapters, batch_id)
    chat = chat_model(stub.url)
    before = stub.calls
    try:
        first, second = agent(adapters, chat), agent(adapters, chat)
        await asyncio.gather(first.diagnose(batch_id), second.diagnose(batch_id))
        await first.handle(DiagnosisRequested(batch_id=batch_id, vehicle_id="veh-1"))
    finally:
        await chat.close()
    assert stub.calls - before == 1
    record = await adapters.reports.load(batch_id)
    assert record is not None and record.diagnosis is not None
    assert record.diagnosis.engine == "llm" and record.diagnosis.llm_calls == 1
