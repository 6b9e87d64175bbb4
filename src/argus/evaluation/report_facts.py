"""What the scoring needs from one report, read defensively from its JSON document.

The report of `GET /api/report/{id}` gains fields as the diagnosis grows (model, tokens, chain,
cited evidence, precedents); an older server or another engine leaves them out. Every such
field is read here as "present or None", so a missing field becomes "n/a" in the scores and
never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from argus.domain.analysis import NO_COMPONENT, Anomaly, BatchSummary, Precedent
from argus.domain.analysis.evidence import build_evidence
from argus.domain.errors import ArgusError

__all__ = ["ReportFacts", "StepFacts"]


@dataclass(frozen=True, slots=True)
class StepFacts:
    """One step of a diagnosed chain: a component, when (s from batch start), what it cites."""

    component: str
    start_s: float
    end_s: float
    evidence_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReportFacts:
    """The parts of a report a score is computed from; None means the report lacks the field."""

    status: str
    component: str
    severity: str
    engine: str
    anomaly_components: tuple[str, ...]
    known_evidence_ids: frozenset[str]
    chain: tuple[StepFacts, ...] | None
    cited_evidence_ids: tuple[str, ...] | None
    precedents: tuple[Precedent, ...] | None
    prompt_tokens: int | None
    token_budget: int | None
    llm_calls: int | None
    fallback_reason: str | None

    @property
    def said_healthy(self) -> bool:
        """The diagnosis names no component: nothing wrong with the drive."""
        return self.component == NO_COMPONENT

    @classmethod
    def from_report(cls, report: Mapping[str, Any]) -> ReportFacts:
        """Read a report document; a finished report without a diagnosis reads as "unknown"."""
        diagnosis: Mapping[str, Any] = report.get("diagnosis") or {}
        anomalies = [Anomaly.from_dict(a) for a in report.get("anomalies") or ()]
        # The evidence that exists is recomputed from the report's own summary and Top-K with
        # the pipeline's evidence builder, so a diagnoser cannot vouch for its own citations.
        extra_ids = _evidence_ids(report.get("summary"), anomalies)
        return cls(
            status=str(report.get("status", "unknown")),
            component=str(diagnosis.get("component", "unknown")),
            severity=str(diagnosis.get("severity", "unknown")),
            engine=str(diagnosis.get("engine", "unknown")),
            anomaly_components=tuple(a.component for a in anomalies),
            known_evidence_ids=frozenset({a.anomaly_id for a in anomalies} | extra_ids),
            chain=_chain(diagnosis.get("chain")),
            cited_evidence_ids=_strings(diagnosis.get("cited_evidence_ids")),
            precedents=_precedents(diagnosis.get("precedents")),
            prompt_tokens=_int(diagnosis.get("prompt_tokens")),
            token_budget=_int(diagnosis.get("token_budget")),
            llm_calls=_int(diagnosis.get("llm_calls")),
            fallback_reason=_str(diagnosis.get("fallback_reason")),
        )


def _evidence_ids(summary: object, anomalies: Sequence[Anomaly]) -> set[str]:
    if not isinstance(summary, Mapping):
        return set()
    try:
        parsed = BatchSummary.from_dict(summary)
    except (ArgusError, KeyError, TypeError, ValueError):  # a foreign summary: anomalies only
        return set()
    return {item.evidence_id for item in build_evidence(parsed, anomalies)}


def _list(value: object) -> Sequence[Any] | None:
    return value if isinstance(value, list) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: object) -> tuple[str, ...] | None:
    items = _list(value)
    return None if items is None else tuple(str(i) for i in items)


def _chain(value: object) -> tuple[StepFacts, ...] | None:
    steps = _list(value)
    if steps is None:
        return None
    return tuple(
        StepFacts(
            component=str(step.get("component", "")),
            start_s=float(step.get("start_s") or 0.0),
            end_s=float(step.get("end_s") or 0.0),
            evidence_ids=_strings(step.get("evidence_ids")) or (),
        )
        for step in steps
        if isinstance(step, Mapping)
    )


def _precedents(value: object) -> tuple[Precedent, ...] | None:
    items = _list(value)
    if items is None:
        return None
    return tuple(Precedent.from_dict(p) for p in items if isinstance(p, Mapping))
