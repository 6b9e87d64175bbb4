"""The rows of an evaluation (one per batch) and their aggregates (one per diagnoser)."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from argus.evaluation.report_facts import ReportFacts
from argus.evaluation.scoring import BatchScore, score_batch
from argus.loggen.scenarios import GroundTruth

__all__ = ["NA", "Aggregates", "BatchRow", "Ratio", "aggregate", "batch_row"]

NA = "n/a"


@dataclass(frozen=True, slots=True)
class Ratio:
    """Hits out of the batches a metric applies to."""

    hits: int
    total: int

    @property
    def value(self) -> float:
        return self.hits / self.total

    def __str__(self) -> str:
        return f"{self.hits}/{self.total} ({self.value:.0%})"


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One scenario × seed run: what the truth says, what the report says, and the score."""

    scenario: str
    seed: int
    batch_id: str
    status: str
    truth_component: str
    truth_severity: str
    component: str
    severity: str
    engine: str
    score: BatchScore
    latency_s: float
    prompt_tokens: int | None
    token_budget: int | None
    llm_calls: int | None
    fallback_reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (the score's fields inline)."""
        row = asdict(self)
        row.update(row.pop("score"))
        return row


@dataclass(frozen=True, slots=True)
class Aggregates:
    """The suite's scores for one diagnoser; None is "n/a"."""

    diagnoser: str
    embedder: str
    batches: int
    top1: Ratio
    top3: Ratio
    severity: Ratio
    no_fault_precision: Ratio | None
    healthy_recall: Ratio | None
    evidence_validity: Ratio | None
    grounded: Ratio | None
    retrieval_hit3: Ratio | None
    prompt_tokens_p50: float | None
    prompt_tokens_max: int | None
    token_budget: int | None
    over_budget: int
    latency_p50_s: float
    latency_max_s: float
    llm_calls_mean: float | None
    llm_calls_max: int | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ratios as {hits, total, value}, n/a as null."""
        out: dict[str, Any] = {}
        for name, value in asdict(self).items():
            if isinstance(value, dict):  # a Ratio
                value = {**value, "value": round(value["hits"] / value["total"], 4)}
            out[name] = value
        return out

    def cells(self) -> dict[str, str]:
        """Every metric as display text, in table order."""
        return {
            "embedder": self.embedder,
            "batches": str(self.batches),
            "top-1": str(self.top1),
            "top-3": str(self.top3),
            "severity": str(self.severity),
            "no-fault precision": _text(self.no_fault_precision),
            "healthy recall": _text(self.healthy_recall),
            "evidence valid": _text(self.evidence_validity),
            "grounded": _text(self.grounded),
            "retrieval hit@3": _text(self.retrieval_hit3),
            "prompt tokens p50/max (budget)": _tokens(self),
            "latency p50/max": f"{self.latency_p50_s:.1f} s / {self.latency_max_s:.1f} s",
            "LLM calls/batch mean/max": _calls(self),
        }


def batch_row(
    truth: GroundTruth, facts: ReportFacts, *, batch_id: str, latency_s: float, repeated: bool
) -> BatchRow:
    """Score one batch's report against its truth; `repeated` as in `score_batch`."""
    return BatchRow(
        scenario=truth.scenario,
        seed=truth.seed,
        batch_id=batch_id,
        status=facts.status,
        truth_component="+".join(c.component for c in truth.root_causes) or truth.component,
        truth_severity=truth.severity,
        component=facts.component,
        severity=facts.severity,
        engine=facts.engine,
        score=score_batch(truth, facts, repeated=repeated),
        latency_s=round(latency_s, 3),
        prompt_tokens=facts.prompt_tokens,
        token_budget=facts.token_budget,
        llm_calls=facts.llm_calls,
        fallback_reason=facts.fallback_reason,
    )


def aggregate(diagnoser: str, rows: Sequence[BatchRow], *, embedder: str = "hashed") -> Aggregates:
    """The suite's scores over `rows` (at least one), retrieval's with `embedder`."""
    scores = [row.score for row in rows]
    said_healthy = [s for s in scores if s.said_healthy]
    truly_healthy = [s for s in scores if s.truly_healthy]
    tokens = [r.prompt_tokens for r in rows if r.prompt_tokens is not None]
    budgets = [r.token_budget for r in rows if r.token_budget is not None]
    calls = [r.llm_calls for r in rows if r.llm_calls is not None]
    latencies = [r.latency_s for r in rows]
    return Aggregates(
        diagnoser=diagnoser,
        embedder=embedder,
        batches=len(rows),
        top1=_ratio([s.top1 for s in scores]) or Ratio(0, 0),
        top3=_ratio([s.top3 for s in scores]) or Ratio(0, 0),
        severity=_ratio([s.severity_right for s in scores]) or Ratio(0, 0),
        no_fault_precision=_ratio([s.truly_healthy for s in said_healthy]),
        healthy_recall=_ratio([s.said_healthy for s in truly_healthy]),
        evidence_validity=_ratio_of(scores, lambda s: s.evidence_valid),
        grounded=_ratio_of(scores, lambda s: s.grounded),
        retrieval_hit3=_ratio_of(scores, lambda s: s.retrieval_hit),
        prompt_tokens_p50=statistics.median(tokens) if tokens else None,
        prompt_tokens_max=max(tokens, default=None),
        token_budget=max(budgets, default=None),
        over_budget=sum(
            1
            for r in rows
            if r.prompt_tokens is not None
            and r.token_budget is not None
            and r.prompt_tokens > r.token_budget
        ),
        latency_p50_s=statistics.median(latencies),
        latency_max_s=max(latencies),
        llm_calls_mean=statistics.fmean(calls) if calls else None,
        llm_calls_max=max(calls, default=None),
    )


def _ratio(hits: Sequence[bool]) -> Ratio | None:
    return Ratio(sum(hits), len(hits)) if hits else None


def _ratio_of(
    scores: Sequence[BatchScore], metric: Callable[[BatchScore], bool | None]
) -> Ratio | None:
    return _ratio([v for v in map(metric, scores) if v is not None])


def _text(ratio: Ratio | None) -> str:
    return NA if ratio is None else str(ratio)


def _tokens(agg: Aggregates) -> str:
    if agg.prompt_tokens_p50 is None:
        return NA
    budget = NA if agg.token_budget is None else str(agg.token_budget)
    over = f", {agg.over_budget} over" if agg.over_budget else ""
    return f"{agg.prompt_tokens_p50:.0f} / {agg.prompt_tokens_max} ({budget}{over})"


def _calls(agg: Aggregates) -> str:
    if agg.llm_calls_mean is None:
        return NA
    return f"{agg.llm_calls_mean:.2f} / {agg.llm_calls_max}"
