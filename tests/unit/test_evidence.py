"""Evidence pruning and the token budget: stable ids, score order, a prompt that stays flat."""

from __future__ import annotations

import dataclasses

import pytest

from argus.application.diagnosis.ports import TokenCounter
from argus.application.diagnosis.prompt import BudgetTooSmall, Prompt, build_prompt
from argus.application.diagnosis.tokens import ByteBoundCounter
from argus.domain.analysis import (
    Anomaly,
    BatchSummary,
    ComponentDiagnostics,
    GatherResult,
    LargestGap,
    LogTemplate,
    TopicSummary,
    diagnose_offline,
    gather,
)
from argus.domain.analysis.evidence import build_evidence, cut_to_budget
from tests.fakes.analysis import T0, sample_files
from tests.fakes.templates import FakeTemplateMiner

pytestmark = pytest.mark.unit

S = 1_000_000_000


def sample() -> GatherResult:
    return gather(sample_files(), template_miner=FakeTemplateMiner())


def huge(n: int) -> tuple[BatchSummary, list[Anomaly]]:
    """A summary with `n` failing topics, templates and components, and `n` anomalies."""
    base = sample().summary
    gap = LargestGap(30.0, 30.0, T0, T0 + 30 * S, "f.mcap", None, "within")
    topics = {
        f"/sensor_{i}/data": TopicSummary(100, 1000, "x/msg/Y", 1, T0, T0 + 60 * S, 10.0, 0.1, gap)
        for i in range(n)
    }
    templates = tuple(
        LogTemplate(f"device {i} failed with <*>", 5, "ERROR", f"node_{i}", "e", T0 + i)
        for i in range(n)
    )
    diagnostics = {
        f"unit_{i}": ComponentDiagnostics(("s",), ("h",), {"ERROR": 2}, 2, T0, T0 + S, "ERROR", "m")
        for i in range(n)
    }
    summary = dataclasses.replace(
        base, topics=topics, log_templates=templates, diagnostics=diagnostics
    )
    anomalies = [
        Anomaly(
            "sensor_dropout",
            f"unit_{i}",
            3.0 + i % 7,
            f"/sensor_{i}/data silent",
            T0 + i * S,
            T0 + (i + 5) * S,
            (),
        )
        for i in range(n)
    ]
    return summary, anomalies


def test_the_same_batch_gives_the_same_items_ids_and_order() -> None:
    first, second = sample(), sample()
    a = build_evidence(first.summary, first.anomalies)
    assert a == build_evidence(second.summary, second.anomalies)
    assert [i.score for i in a] == sorted((i.score for i in a), reverse=True)
    ids = {i.evidence_id for i in a}
    assert {x.anomaly_id for x in first.anomalies} <= ids
    assert {i.split("-")[0] for i in ids} >= {"tpl", "diag", "rate", "file", "sensor_dropout"}


def test_the_cut_keeps_the_best_items_that_fit() -> None:
    result = sample()
    items = build_evidence(result.summary, result.anomalies)
    counter = ByteBoundCounter()
    origin = result.summary.timeline.start_ns
    kept = cut_to_budget(items, origin_ns=origin, budget_tokens=600, count=counter.count)
    assert 0 < len(kept) < len(items)
    assert kept[0] == items[0]
    assert sum(counter.count(i.line(origin) + "\n") for i in kept) <= 600


def prompt_for(n: int, counter: TokenCounter | None = None) -> tuple[Prompt, int]:
    """The prompt of a `huge(n)` batch under a budget of 3000, and its count by the counter."""
    summary, anomalies = huge(n)
    # Gather's Top-K is at most 100: the rules are not made for more.
    rules = diagnose_offline(summary=summary, anomalies=anomalies[:100])
    counter = counter or ByteBoundCounter()
    prompt = build_prompt(
        summary=summary,
        anomalies=anomalies,
        precedents=(),
        rules=rules,
        counter=counter,
        budget=3000,
    )
    return prompt, counter.count_messages(prompt.messages)


@pytest.mark.parametrize("n", [10, 2_000])
def test_the_prompt_stays_within_the_budget_however_big_the_batch(n: int) -> None:
    prompt, counted = prompt_for(n)
    assert prompt.tokens == counted <= 3000
    assert len(prompt.evidence) > 3


def test_a_huge_batch_gives_a_prompt_no_bigger_than_a_small_one() -> None:
    small, _ = prompt_for(50)
    big, _ = prompt_for(2_000)
    # Flat: the budget, not the batch, sets the size.
    assert abs(small.tokens - big.tokens) < 300
    assert big.tokens <= 3000


def test_a_budget_smaller_than_the_instructions_is_refused() -> None:
    result = sample()
    rules = diagnose_offline(summary=result.summary, anomalies=result.anomalies)
    with pytest.raises(BudgetTooSmall):
        build_prompt(
            summary=result.summary,
            anomalies=result.anomalies,
            precedents=(),
            rules=rules,
            counter=ByteBoundCounter(),
            budget=200,
        )
