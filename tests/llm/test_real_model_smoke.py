"""The diagnosis' HTTP client against a real llama.cpp server and a small real model.

Protocol and schema only: a 135M-parameter model's diagnosis is not judged, only that every
answer is well formed, every request stays within the budget and every request is counted.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jsonschema
import pytest

from argus.application.diagnosis.answer import ANSWER_SCHEMA
from argus.application.diagnosis.llm_diagnoser import LlmDiagnoser
from argus.application.diagnosis.ports import ChatMessage
from argus.application.diagnosis.tokens import ByteBoundCounter
from argus.domain.analysis import NO_COMPONENT, Diagnosis, gather
from argus.infrastructure.llm import OpenAiChatModel
from tests.fakes.analysis import sample_files
from tests.fakes.templates import FakeTemplateMiner
from tests.llm.conftest import LlamaServer

pytestmark = [pytest.mark.llm, pytest.mark.timeout(900)]

BUDGET = 3000
MAX_COMPLETION_TOKENS = 800  # ARGUS_LLM_MAX_COMPLETION_TOKENS' default
VERDICT = {
    "type": "object",
    "properties": {
        "component": {"type": "string", "enum": ["lidar", "camera", "none"]},
        "failed": {"type": "boolean"},
    },
    "required": ["component", "failed"],
    "additionalProperties": False,
}


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    """Every request to the server and the reply it gave, to count and inspect them."""

    inner: httpx.AsyncBaseTransport = field(default_factory=httpx.AsyncHTTPTransport)
    exchanges: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        self.exchanges.append((json.loads(request.content), json.loads(body)))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def recorded(llama_server: LlamaServer) -> AsyncIterator[tuple[OpenAiChatModel, Recorder]]:
    recorder = Recorder()
    model = OpenAiChatModel(
        url=llama_server.url,
        model=llama_server.model_file.stem,
        api_key=None,
        timeout_s=600.0,
        max_retries=0,  # a retry would hide a protocol error
        backoff_s=0.0,
        max_completion_tokens=MAX_COMPLETION_TOKENS,
        transport=recorder,
    )
    yield model, recorder
    await model.close()


def test_the_server_lists_the_served_model(llama_server: LlamaServer) -> None:
    response = httpx.get(f"{llama_server.url}/v1/models", timeout=10.0)
    assert response.status_code == 200
    assert [m["id"] for m in response.json()["data"]] == [llama_server.model_file.stem]


async def test_a_json_schema_completion_is_json_that_follows_the_schema(
    recorded: tuple[OpenAiChatModel, Recorder],
) -> None:
    model, recorder = recorded
    messages = [
        ChatMessage("system", "You answer in JSON."),
        ChatMessage("user", "The lidar stopped sending points for 10 s. Which component failed?"),
    ]
    reply = await model.complete(messages, schema=VERDICT)
    jsonschema.validate(json.loads(reply.content), VERDICT)
    assert reply.attempts == 1 == len(recorder.exchanges)
    assert reply.prompt_tokens is not None and reply.prompt_tokens > 0
    assert reply.completion_tokens is not None and reply.completion_tokens > 0
    sent, answered = recorder.exchanges[0]
    assert sent["response_format"]["type"] == "json_schema"
    assert answered["object"] == "chat.completion"
    assert answered["choices"][0]["finish_reason"] == "stop"


async def test_the_diagnoser_gets_a_well_formed_diagnosis_within_budget_in_counted_calls(
    recorded: tuple[OpenAiChatModel, Recorder],
) -> None:
    model, recorder = recorded
    gathered = gather(sample_files(), template_miner=FakeTemplateMiner())
    diagnoser = LlmDiagnoser(model=model, counter=ByteBoundCounter(), token_budget=BUDGET)
    diagnosis = await diagnoser.diagnose(
        batch_id="smoke-1",
        vehicle_id="veh-1",
        summary=gathered.summary,
        anomalies=gathered.anomalies,
    )
    # The same diagnosis survives its stored JSON form (Diagnosis checks its own fields).
    assert Diagnosis.from_dict(json.loads(json.dumps(diagnosis.to_dict()))) == diagnosis
    if diagnosis.engine == "llm":
        assert diagnosis.fallback_reason is None
        # A fault must cite evidence; "none" (no fault found) may cite nothing.
        assert diagnosis.cited_evidence_ids or diagnosis.component == NO_COMPONENT
    else:  # the model's answer was not usable: the rules answer and say why
        assert diagnosis.engine == "offline-rules" and diagnosis.fallback_reason
    # One question, and one repair at most; each of them one HTTP request, none failed.
    assert diagnosis.llm_calls == len(recorder.exchanges) in (1, 2)
    assert diagnosis.token_budget == BUDGET
    assert diagnosis.prompt_tokens is not None and diagnosis.prompt_tokens <= BUDGET
    for sent, answered in recorder.exchanges:
        # The byte bound holds for this real tokenizer: what it counted, the server counted.
        assert answered["usage"]["prompt_tokens"] <= ByteBoundCounter().count_messages(
            [ChatMessage(m["role"], m["content"]) for m in sent["messages"]]
        )
        assert answered["usage"]["completion_tokens"] <= MAX_COMPLETION_TOKENS
        choice = answered["choices"][0]
        if choice["finish_reason"] == "stop":  # else cut by max_tokens: an `invalid answer`
            jsonschema.validate(json.loads(choice["message"]["content"]), ANSWER_SCHEMA)
