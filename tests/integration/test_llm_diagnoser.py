"""The LLM diagnoser's real HTTP client against the stub OpenAI-protocol server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from argus.application.diagnosis.llm_diagnoser import LlmDiagnoser
from argus.application.diagnosis.tokens import ByteBoundCounter
from argus.domain.analysis import Diagnosis, GatherResult, Outcome, Precedent, gather
from argus.infrastructure.llm import OpenAiChatModel
from tests.fakes.analysis import sample_files
from tests.fakes.templates import FakeTemplateMiner
from tests.llm_stub import StubLlm, chat_model, running_stub

pytestmark = pytest.mark.integration

BUDGET = 3000


@pytest.fixture(scope="module")
def server() -> Iterator[StubLlm]:
    with running_stub() as stub:
        yield stub


@pytest.fixture
def stub(server: StubLlm) -> StubLlm:
    server.requests.clear()
    return server


@pytest.fixture
async def chat(stub: StubLlm) -> AsyncIterator[OpenAiChatModel]:
    model = chat_model(stub.url, timeout_s=0.5, max_retries=2)
    yield model
    await model.close()


@pytest.fixture(scope="module")
def gathered() -> GatherResult:
    return gather(sample_files(), template_miner=FakeTemplateMiner())


async def diagnose(
    chat: OpenAiChatModel, gathered: GatherResult, precedents: tuple[Precedent, ...] = ()
) -> Diagnosis:
    diagnoser = LlmDiagnoser(model=chat, counter=ByteBoundCounter(), token_budget=BUDGET)
    return await diagnoser.diagnose(
        batch_id="b-1",
        vehicle_id="veh-1",
        summary=gathered.summary,
        anomalies=gathered.anomalies,
        precedents=precedents,
    )


async def test_a_healthy_model_answers_in_one_call_citing_the_top_evidence(
    stub: StubLlm, chat: OpenAiChatModel, gathered: GatherResult
) -> None:
    diagnosis = await diagnose(chat, gathered)
    top = gathered.anomalies[0]
    assert diagnosis.engine == "llm" and diagnosis.fallback_reason is None
    assert diagnosis.component == top.component
    assert diagnosis.cited_evidence_ids == (top.anomaly_id,)
    assert diagnosis.chain[0].evidence_ids == (top.anomaly_id,)
    assert diagnosis.related_anomalies == (0,)
    assert diagnosis.model == "stub-model" and diagnosis.llm_calls == 1 == stub.calls
    assert diagnosis.prompt_tokens is not None and diagnosis.prompt_tokens <= BUDGET
    assert diagnosis.token_budget == BUDGET
    request = stub.requests[0]
    assert request["response_format"]["type"] == "json_schema"
    assert ByteBoundCounter().count(str(request["messages"])) > 0


async def test_the_prompt_never_exceeds_the_budget_by_the_counter(
    stub: StubLlm, chat: OpenAiChatModel, gathered: GatherResult
) -> None:
    stub.fail_next("no_usage")
    diagnosis = await diagnose(chat, gathered)
    assert diagnosis.prompt_tokens is not None and diagnosis.prompt_tokens <= BUDGET
    sent = sum(len(m["content"].encode()) for m in stub.requests[0]["messages"])
    assert sent <= BUDGET


async def test_429_and_500_are_retried_and_counted_as_calls(
    stub: StubLlm, chat: OpenAiChatModel, gathered: GatherResult
) -> None:
    stub.fail_next("429", "500")
    diagnosis = await diagnose(chat, gathered)
    assert diagnosis.engine == "llm"
    assert diagnosis.llm_calls == 3 == stub.calls


@pytest.mark.parametrize(
    ("faults", "reason"),
    [
        (("500", "500", "500"), "model failed: HTTP 500"),
        (("429", "429", "429"), "model failed: HTTP 429"),
        (("hang", "hang", "hang"), "model failed: ReadTimeout"),
        (("bad_json",), "invalid answer"),
        (("not_a_completion",), "model failed: not a chat completion"),
        (("unknown_ids", "unknown_ids"), "cited evidence ids that do not exist"),
    ],
)
async def test_a_failing_model_falls_back_to_the_rules_and_says_why(
    stub: StubLlm,
    chat: OpenAiChatModel,
    gathered: GatherResult,
    faults: tuple[str, ...],
    reason: str,
) -> None:
    stub.fail_next(*faults)
    diagnosis = await diagnose(chat, gathered)
    assert diagnosis.engine == "offline-rules"
    assert diagnosis.fallback_reason is not None and reason in diagnosis.fallback_reason
    assert diagnosis.llm_calls == len(faults) == stub.calls
    assert diagnosis.model == "stub-model" and diagnosis.token_budget == BUDGET


async def test_unknown_evidence_ids_are_repaired_once_naming_them(
    stub: StubLlm, chat: OpenAiChatModel, gathered: GatherResult
) -> None:
    stub.fail_next("unknown_ids")
    diagnosis = await diagnose(chat, gathered)
    assert diagnosis.engine == "llm" and diagnosis.llm_calls == 2 == stub.calls
    repair = stub.requests[1]["messages"][-1]["content"]
    assert "made-up-000000000000" in repair
    assert diagnosis.prompt_tokens is not None and diagnosis.prompt_tokens <= BUDGET


async def test_precedents_reach_the_prompt_and_the_report(
    stub: StubLlm, chat: OpenAiChatModel, gathered: GatherResult
) -> None:
    precedent = Precedent(
        batch_id="old-1",
        vehicle_id="veh-9",
        similarity=0.93,
        component="power",
        severity="critical",
        root_cause="PDU brown-out",
        outcome=Outcome.CORRECTED,
        note="check the PDU fuse",
    )
    diagnosis = await diagnose(chat, gathered, (precedent,))
    assert diagnosis.precedents == (precedent,)
    user = stub.requests[0]["messages"][1]["content"]
    assert "corrected" in user and "PDU brown-out" in user and "check the PDU fuse" in user


async def test_the_rule_diagnosis_is_kept_when_the_model_disagrees(
    stub: StubLlm, chat: OpenAiChatModel, gathered: GatherResult
) -> None:
    diagnosis = await diagnose(chat, gathered)
    # The stub says "high"; the rules rate this lidar dropout with corroboration "critical".
    assert (diagnosis.component, diagnosis.severity) == ("lidar", "high")
    rules = diagnosis.rule_diagnosis
    assert rules is not None
    assert (rules.engine, rules.component, rules.severity) == ("offline-rules", "lidar", "critical")
    assert Diagnosis.from_dict(diagnosis.to_dict()) == diagnosis


async def test_a_base_url_ending_in_v1_reaches_the_same_endpoint(
    stub: StubLlm, gathered: GatherResult
) -> None:
    chat = chat_model(f"{stub.url}/v1/")
    try:
        diagnosis = await diagnose(chat, gathered)
    finally:
        await chat.close()
    assert diagnosis.engine == "llm" and stub.calls == 1
