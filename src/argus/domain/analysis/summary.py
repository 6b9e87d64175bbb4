"""`BatchSummary`: what gather produces, diagnosers read, the report serialises.

Each section is a frozen record; `to_dict` gives the JSON document stored in
`reports.summary` and served in the report's `summary`, `from_dict` reads it back.
`SUMMARY_VERSION` changes whenever that JSON shape does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argus.domain.analysis._json import FlatRecord, JsonObject, record_from_dict, record_to_dict
from argus.domain.analysis.summary_parts import (
    ComponentDiagnostics,
    FileErrors,
    LogTemplate,
    TopicSummary,
)
from argus.domain.errors import InvalidInput

__all__ = [
    "SUMMARY_VERSION",
    "BatchSummary",
    "FileEntry",
    "ScoreBreakdown",
    "Timeline",
    "Totals",
    "UncoveredRange",
]

SUMMARY_VERSION = 1


@dataclass(frozen=True, slots=True)
class UncoveredRange(FlatRecord):
    """A stretch inside the batch that no parsed file covers."""

    start_ns: int
    end_ns: int
    duration_s: float


@dataclass(frozen=True, slots=True)
class Timeline:
    """Batch start, end and duration (None/0 without timed files) and its uncovered ranges."""

    start_ns: int | None
    end_ns: int | None
    duration_s: float
    uncovered: tuple[UncoveredRange, ...]

    def to_dict(self) -> JsonObject:
        """The JSON form."""
        return {**record_to_dict(self), "uncovered": [u.to_dict() for u in self.uncovered]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Timeline:
        """Inverse of `to_dict`."""
        uncovered = tuple(UncoveredRange.from_dict(u) for u in data["uncovered"])
        return record_from_dict(cls, {**data, "uncovered": uncovered})


@dataclass(frozen=True, slots=True)
class Totals(FlatRecord):
    """Counts over the whole batch."""

    files: int
    parsed: int
    failed: int
    partial: int
    messages: int
    bytes: int
    log_events: int
    diagnostic_events: int
    dropped_events: int


@dataclass(frozen=True, slots=True)
class FileEntry(FlatRecord):
    """One file of the batch: parsed, partial or failed, with its time range."""

    name: str
    status: str  # "parsed", "partial" or "failed"
    engine: str | None
    start_ns: int | None
    end_ns: int | None
    messages: int


@dataclass(frozen=True, slots=True)
class ScoreBreakdown(FlatRecord):
    """How one Top-K anomaly's score was computed (see `scoring`)."""

    kind: str
    component: str
    base: float
    ratio: float
    magnitude: float
    count: int
    count_factor: float
    agreeing_channels: int
    correlation_boost: float
    score: float


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """The whole gathered batch; mappings are keyed and ordered as their JSON objects."""

    timeline: Timeline
    totals: Totals
    files: tuple[FileEntry, ...]
    topics: Mapping[str, TopicSummary]
    log_levels: Mapping[str, int]
    log_templates: tuple[LogTemplate, ...]
    diagnostics: Mapping[str, ComponentDiagnostics]
    parse_errors: Mapping[str, FileErrors]
    anomaly_counts: Mapping[str, int]
    scoring: tuple[ScoreBreakdown, ...]
    summary_version: int = SUMMARY_VERSION

    def to_dict(self) -> JsonObject:
        """The JSON form, sections in the documented order."""
        return {
            "summary_version": self.summary_version,
            "timeline": self.timeline.to_dict(),
            "totals": self.totals.to_dict(),
            "files": [f.to_dict() for f in self.files],
            "topics": {name: t.to_dict() for name, t in self.topics.items()},
            "log_levels": dict(self.log_levels),
            "log_templates": [t.to_dict() for t in self.log_templates],
            "diagnostics": {name: d.to_dict() for name, d in self.diagnostics.items()},
            "parse_errors": {name: e.to_dict() for name, e in self.parse_errors.items()},
            "anomaly_counts": dict(self.anomaly_counts),
            "scoring": [s.to_dict() for s in self.scoring],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BatchSummary:
        """Inverse of `to_dict`; InvalidInput for a summary version this code does not know."""
        version = data.get("summary_version")
        if version != SUMMARY_VERSION:
            raise InvalidInput(f"unknown summary_version {version!r}")
        return cls(
            summary_version=version,
            timeline=Timeline.from_dict(data["timeline"]),
            totals=Totals.from_dict(data["totals"]),
            files=tuple(FileEntry.from_dict(f) for f in data["files"]),
            topics={k: TopicSummary.from_dict(v) for k, v in data["topics"].items()},
            log_levels=dict(data["log_levels"]),
            log_templates=tuple(LogTemplate.from_dict(t) for t in data["log_templates"]),
            diagnostics={
                k: ComponentDiagnostics.from_dict(v) for k, v in data["diagnostics"].items()
            },
            parse_errors={k: FileErrors.from_dict(v) for k, v in data["parse_errors"].items()},
            anomaly_counts=dict(data["anomaly_counts"]),
            scoring=tuple(ScoreBreakdown.from_dict(s) for s in data["scoring"]),
        )
