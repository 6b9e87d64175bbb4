"""What the detectors work on and what they produce before scoring."""

from __future__ import annotations

from dataclasses import dataclass

from argus.domain.analysis.anomaly import Evidence
from argus.domain.parsed_file import ParsedFile

__all__ = ["FileResult", "Finding"]


@dataclass(frozen=True, slots=True)
class FileResult:
    """One file of a batch: its summary, or why it could not be parsed."""

    file_name: str
    parsed: ParsedFile | None
    failure_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """An anomaly before scoring: what the detector saw and the inputs of its score.

    `base` is the kind's severity weight, `ratio` (>= 1) how far past the rule's threshold the
    observation went, `count` how many observations back it. See `scoring.rank`.
    """

    kind: str
    component: str
    title: str
    start_ns: int | None
    end_ns: int | None
    evidence: tuple[Evidence, ...]
    base: float
    ratio: float = 1.0
    count: int = 1
