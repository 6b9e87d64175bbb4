"""What the gather stage found and what a diagnoser concluded: anomalies and a diagnosis.

Frozen value objects with a JSON form (`to_dict` / `from_dict`), shared by the gather stage,
every diagnoser engine (offline rules, LLM later) and the report read path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argus.domain.analysis._json import FlatRecord, JsonObject
from argus.domain.analysis.evidence_chain import ChainStep
from argus.domain.analysis.precedents import Precedent
from argus.domain.component import UNKNOWN_COMPONENT, component_of
from argus.domain.errors import InvalidInput

__all__ = [
    "ANOMALY_KINDS",
    "NO_COMPONENT",
    "SEVERITIES",
    "UNKNOWN_COMPONENT",
    "Anomaly",
    "Diagnosis",
    "Evidence",
    "TimeWindow",
    "component_of",
    "format_offset",
]

# sensor_dropout: a topic went silent far longer than its normal period.
# rate_degradation: a topic kept publishing, but well below its normal rate.
# error_burst: many ERROR/FATAL logs from one node in a short window.
# error_logs: ERROR/FATAL logs from one node that do not form a burst.
# diagnostic_error: diagnostics statuses in ERROR or STALE for one component.
# parse_failure: a file could not be read, or only partly.
# recording_gap: most topics went silent together: the recorder or computer stalled.
ANOMALY_KINDS = (
    "sensor_dropout",
    "rate_degradation",
    "error_burst",
    "error_logs",
    "diagnostic_error",
    "parse_failure",
    "recording_gap",
)
SEVERITIES = ("info", "low", "medium", "high", "critical")
# The component of a diagnosis when nothing abnormal was found.
NO_COMPONENT = "none"


def format_offset(t_ns: int, origin_ns: int | None) -> str:
    """`t_ns` as HH:MM:SS.s after `origin_ns` (the batch start); seconds since epoch without one."""
    if origin_ns is None:
        return f"t={t_ns / 1e9:.1f}s"
    tenths = max(0, t_ns - origin_ns) // 100_000_000
    seconds, tenth = divmod(tenths, 10)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours:02d}:{minute:02d}:{second:02d}.{tenth}"


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """When an anomaly happened, in nanoseconds since the epoch (end >= start)."""

    start_ns: int
    end_ns: int

    @property
    def duration_s(self) -> float:
        """Length of the window in seconds."""
        return (self.end_ns - self.start_ns) / 1e9


@dataclass(frozen=True, slots=True)
class Evidence(FlatRecord):
    """One observation behind an anomaly: where (file, time) and what, in a line or two."""

    file: str
    t_ns: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class Anomaly:
    """Something abnormal in a batch, attributed to a component and scored for ranking."""

    kind: str
    component: str
    score: float
    title: str
    start_ns: int | None
    end_ns: int | None
    evidence: tuple[Evidence, ...]

    def __post_init__(self) -> None:
        if self.kind not in ANOMALY_KINDS:
            raise InvalidInput(f"unknown anomaly kind {self.kind!r}")
        if self.score < 0:
            raise InvalidInput(f"anomaly score must be >= 0, got {self.score}")

    @property
    def anomaly_id(self) -> str:
        """A stable id from the anomaly's content: the same batch always gives the same ids.

        Not part of the JSON form (the report's shape stays as it was); consumers such as a
        diagnoser can derive it again from a stored anomaly.
        """
        key = "\x1f".join(
            (self.kind, self.component, str(self.start_ns), str(self.end_ns), self.title)
        )
        return f"{self.kind}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"

    @property
    def window(self) -> TimeWindow | None:
        """The time span the anomaly covers, or None when it has no time (a failed file)."""
        if self.start_ns is None:
            return None
        end = self.end_ns if self.end_ns is not None else self.start_ns
        return TimeWindow(self.start_ns, max(end, self.start_ns))

    def to_dict(self) -> JsonObject:
        """The JSON form."""
        return {
            "kind": self.kind,
            "component": self.component,
            "score": self.score,
            "title": self.title,
            "start_ns": self.start_ns,
            "end_ns": self.end_ns,
            "evidence": [e.to_dict() for e in self.evidence],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Anomaly:
        """Inverse of `to_dict`."""
        return cls(
            kind=data["kind"],
            component=data["component"],
            score=float(data["score"]),
            title=data["title"],
            start_ns=data["start_ns"],
            end_ns=data["end_ns"],
            evidence=tuple(Evidence.from_dict(e) for e in data["evidence"]),
        )


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A diagnoser's conclusion for one batch; `related_anomalies` index into its Top-K input.

    The fields after `related_anomalies` say how it was reached (model, tokens, calls, why the
    model was not used, the propagation chain, the precedents); their defaults are the rules'.
    """

    component: str
    root_cause: str
    severity: str
    confidence: float
    evidence: tuple[str, ...]
    actions: tuple[str, ...]
    engine: str
    related_anomalies: tuple[int, ...]
    model: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    token_budget: int | None = None
    llm_calls: int = 0
    fallback_reason: str | None = None
    chain: tuple[ChainStep, ...] = ()
    cited_evidence_ids: tuple[str, ...] = ()
    precedents: tuple[Precedent, ...] = ()
    # The rules' diagnosis, kept when another engine concluded differently.
    rule_diagnosis: Diagnosis | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise InvalidInput(f"severity must be one of {SEVERITIES}, got {self.severity!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise InvalidInput(f"confidence must be within [0, 1], got {self.confidence}")
        if any(i < 0 for i in self.related_anomalies):
            raise InvalidInput("related_anomalies are indexes and cannot be negative")

    def to_dict(self) -> JsonObject:
        """The JSON form."""
        rules = self.rule_diagnosis
        return {
            "component": self.component,
            "root_cause": self.root_cause,
            "severity": self.severity,
            "confidence": self.confidence,
            "evidence": list(self.evidence),
            "actions": list(self.actions),
            "engine": self.engine,
            "related_anomalies": list(self.related_anomalies),
            "model": self.model,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "token_budget": self.token_budget,
            "llm_calls": self.llm_calls,
            "fallback_reason": self.fallback_reason,
            "chain": [step.to_dict() for step in self.chain],
            "cited_evidence_ids": list(self.cited_evidence_ids),
            "precedents": [p.to_dict() for p in self.precedents],
            "rule_diagnosis": None if rules is None else rules.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Diagnosis:
        """Inverse of `to_dict`; rows stored before the model fields existed read as the rules'."""
        rules = data.get("rule_diagnosis")
        return cls(
            component=data["component"],
            root_cause=data["root_cause"],
            severity=data["severity"],
            confidence=float(data["confidence"]),
            evidence=tuple(data["evidence"]),
            actions=tuple(data["actions"]),
            engine=data["engine"],
            related_anomalies=tuple(int(i) for i in data["related_anomalies"]),
            model=data.get("model"),
            prompt_tokens=data.get("prompt_tokens"),
            completion_tokens=data.get("completion_tokens"),
            token_budget=data.get("token_budget"),
            llm_calls=int(data.get("llm_calls", 0)),
            fallback_reason=data.get("fallback_reason"),
            chain=tuple(ChainStep.from_dict(s) for s in data.get("chain", ())),
            cited_evidence_ids=tuple(data.get("cited_evidence_ids", ())),
            precedents=tuple(Precedent.from_dict(p) for p in data.get("precedents", ())),
            rule_diagnosis=None if rules is None else Diagnosis.from_dict(rules),
        )
