"""The llama.cpp `/tokenize` token counter against the stub server: counts, cache, fallback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from argus.application.diagnosis.llm_diagnoser import LlmDiagnoser
from argus.application.diagnosis.ports import ChatMessage
from argus.application.diagnosis.tokens import MESSAGE_OVERHEAD, REPLY_PRIMING, ByteBoundCounter
from argus.domain.analysis import GatherResult, gather
from argus.infrastructure.llm.server_counter import ServerTokenCounter
from tests.fakes.analysis import sample_files
from tests.fakes.templates import FakeTemplateMiner
from tests.llm_stub import StubLlm, chat_model, running_stub, stub_tokens

pytestmark = pytest.mark.integration

BUDGET = 1500
TEXT = "lidar: /lidar/points silent 6.0 s after PDU undervoltage 10.9 V"


@pytest.fixture(scope="module")
def server() -> Iterator[StubLlm]:
    with running_stub() as stub:
        yield stub


@pytest.fixture(scope="module")
def no_tokenizer() -> Iterator[StubLlm]:
    with running_stub(tokenize=False) as stub:
        yield stub


@pytest.fixture
def counters() -> Iterator[list[ServerTokenCounter]]:
    """Counters a test opens, closed after it."""
    opened: list[ServerTokenCounter] = []
    yield opened
    for counter in opened:
        counter.close()


def _counter(opened: list[ServerTokenCounter], url: str, **options: Any) -> ServerTokenCounter:
    counter = ServerTokenCounter(url=url, api_key=None, **options)
    opened.append(counter)
    return counter


def test_counts_are_the_servers_and_asked_once_per_text(
    server: StubLlm, counters: list[ServerTokenCounter]
) -> None:
    counter = _counter(counters, server.url + "/v1")
    before = server.tokenize_requests
    assert counter.count(TEXT) == len(stub_tokens(TEXT)) < ByteBoundCounter().count(TEXT)
    assert counter.count(TEXT) == len(stub_tokens(TEXT))
    assert server.tokenize_requests - before == counter.requests == 1
    assert counter.fallback_reason is None


def test_the_cache_is_bounded_least_recently_used_out(
    server: StubLlm, counters: list[ServerTokenCounter]
) -> None:
    counter = _counter(counters, server.url, cache_entries=2)
    for text in ("a b", "c d", "a b", "e f", "a b", "c d"):
        counter.count(text)
    # "c d" was evicted by "e f" ("a b" had been used since), so it is asked twice.
    assert counter.requests == 4


def test_a_server_without_tokenize_gets_the_byte_bound_once_and_for_all(
    no_tokenizer: StubLlm,
    counters: list[ServerTokenCounter],
) -> None:
    counter = _counter(counters, no_tokenizer.url)
    assert counter.count(TEXT) == ByteBoundCounter().count(TEXT)
    assert counter.count("another text") == len(b"another text")
    # /tokenize, then /extras/tokenize/count (llama-cpp-python's), both 404; then never again.
    assert counter.requests == 2
    assert counter.fallback_reason == "the server has no /tokenize: byte bound used"


def test_a_prompt_counts_its_messages_and_the_template(
    server: StubLlm, counters: list[ServerTokenCounter]
) -> None:
    counter = _counter(counters, server.url)
    messages = [ChatMessage("system", "be brief"), ChatMessage("user", TEXT)]
    texts = sum(len(stub_tokens(m.role)) + len(stub_tokens(m.content)) for m in messages)
    assert counter.count_messages(messages) == texts + 2 * MESSAGE_OVERHEAD + REPLY_PRIMING


@pytest.fixture(scope="module")
def gathered() -> GatherResult:
    return gather(sample_files(), template_miner=FakeTemplateMiner())


async def test_the_diagnosers_prompt_stays_in_budget_by_the_servers_own_count(
    server: StubLlm, counters: list[ServerTokenCounter], gathered: GatherResult
) -> None:
    counter = _counter(counters, server.url)
    chat = chat_model(server.url)
    server.requests.clear()
    try:
        diagnoser = LlmDiagnoser(model=chat, counter=counter, token_budget=BUDGET)
        diagnosis = await diagnoser.diagnose(
            batch_id="b-1",
            vehicle_id="veh-1",
            summary=gathered.summary,
            anomalies=gathered.anomalies,
        )
    finally:
        await chat.close()
    assert diagnosis.engine == "llm" and diagnosis.llm_calls == 1
    # The stub's usage is its own tokenizer over the prompt it received.
    assert diagnosis.prompt_tokens is not None and diagnosis.prompt_tokens <= BUDGET
    assert counter.requests > 0 and counter.fallback_reason is None
