"""The prompt: instructions, the batch in a line, evidence, precedents, the rules' hypothesis.

Everything but the evidence is laid out first; the evidence then fills what is left of the
token budget, highest score first. A room for one repair request is kept free, so that no
request ever goes over the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from argus.application.diagnosis.ports import ChatMessage, TokenCounter
from argus.domain.analysis import (
    NO_COMPONENT,
    SEVERITIES,
    Anomaly,
    BatchSummary,
    Diagnosis,
    Precedent,
)
from argus.domain.analysis.evidence import EvidenceItem, build_evidence, cut_to_budget
from argus.domain.errors import InvalidInput

__all__ = ["SYSTEM", "BudgetTooSmall", "Prompt", "build_prompt", "repair_message"]

SYSTEM = (
    "You diagnose drive logs of an autonomous vehicle. Find the root-cause component: the "
    "first thing that failed, not the noisiest symptom. Reply with JSON only: component "
    f'(lower case, or "{NO_COMPONENT}" when nothing is wrong), '
    f"severity ({', '.join(SEVERITIES)}), "
    "root_cause (one or two sentences), confidence (0 to 1), chain (steps from root cause to "
    "symptoms in time order: component, event, start_s, end_s, evidence_ids), evidence_ids, "
    "actions (up to 3). Cite only ids in square brackets from the evidence list."
)
MAX_PRECEDENT_CHARS = 200
MAX_RULES_CHARS = 400
MAX_REPAIR_IDS = 5
MAX_ID_CHARS = 40


class BudgetTooSmall(InvalidInput):
    """Not even the instructions fit in the token budget."""

    code = "budget_too_small"


@dataclass(frozen=True, slots=True)
class Prompt:
    """The messages to send, the evidence they show, and their token count (the counter's)."""

    messages: tuple[ChatMessage, ...]
    evidence: tuple[EvidenceItem, ...]
    tokens: int


def repair_message(problem: str, unknown_ids: Sequence[str] = ()) -> ChatMessage:
    """The one follow-up request: what was wrong, and the ids that do not exist."""
    ids = ", ".join(i[:MAX_ID_CHARS] for i in unknown_ids[:MAX_REPAIR_IDS])
    listed = f" Unknown ids: {ids}." if ids else ""
    return ChatMessage(
        "user",
        f"Your answer {problem}.{listed} Answer again with the same JSON shape, citing only "
        "ids from the evidence list.",
    )


def build_prompt(
    *,
    summary: BatchSummary,
    anomalies: Sequence[Anomaly],
    precedents: Sequence[Precedent],
    rules: Diagnosis,
    counter: TokenCounter,
    budget: int,
) -> Prompt:
    """The prompt, at most `budget` tokens once a repair request is added; BudgetTooSmall else."""
    reserve = counter.count_messages([repair_message("x" * 40, ["x" * MAX_ID_CHARS] * 5)])
    room = budget - reserve
    origin = summary.timeline.start_ns
    shown = list(precedents)
    while True:
        empty = _messages(summary, anomalies, shown, rules, [])
        left = room - counter.count_messages(empty)
        if left >= 0 or not shown:
            break
        shown.pop()  # the least similar precedent makes way first
    if left < 0:
        raise BudgetTooSmall(f"the token budget {budget} does not fit the instructions")
    items = list(
        cut_to_budget(
            build_evidence(summary, anomalies),
            origin_ns=origin,
            budget_tokens=left,
            count=counter.count,
        )
    )
    while True:
        lines = [item.line(origin) for item in items]
        messages = _messages(summary, anomalies, shown, rules, lines)
        tokens = counter.count_messages(messages)
        # A counter that is not additive over lines may disagree with the sum: drop the last.
        if tokens <= room or not items:
            return Prompt(messages=tuple(messages), evidence=tuple(items), tokens=tokens)
        items.pop()


def _messages(
    summary: BatchSummary,
    anomalies: Sequence[Anomaly],
    precedents: Sequence[Precedent],
    rules: Diagnosis,
    lines: Sequence[str],
) -> list[ChatMessage]:
    totals, timeline = summary.totals, summary.timeline
    parts = [
        f"Batch: {totals.files} files ({totals.failed} failed, {totals.partial} partly read), "
        f"{timeline.duration_s:.0f} s, {totals.messages} messages, {len(anomalies)} anomalies.",
        "Evidence ([id] time after batch start component: observation), most significant first:",
        *(lines or ["(none)"]),
        "Similar past incidents of this fleet (engineer-reviewed first):",
        *([_precedent(p) for p in precedents] or ["(none)"]),
        _clip(
            f"Rule-based hypothesis (may be wrong): {rules.component}, {rules.severity}: "
            f"{rules.root_cause}",
            MAX_RULES_CHARS,
        ),
    ]
    return [ChatMessage("system", SYSTEM), ChatMessage("user", "\n".join(parts))]


def _precedent(p: Precedent) -> str:
    note = f" Note: {p.note}" if p.note else ""
    return _clip(
        f"- {p.outcome.value}, similarity {p.similarity:.2f}: {p.component}, {p.severity}: "
        f"{p.root_cause}{note}",
        MAX_PRECEDENT_CHARS,
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
