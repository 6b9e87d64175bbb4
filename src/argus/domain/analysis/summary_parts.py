"""The per-topic, per-template, per-component and per-file parts of a `BatchSummary`.

Frozen records with the JSON form the report has always had (`to_dict` / `from_dict`);
docs/architecture/gather-and-diagnosis.md lists every field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argus.domain.analysis._json import FlatRecord, JsonObject, record_from_dict, record_to_dict

__all__ = [
    "ComponentDiagnostics",
    "FileErrors",
    "LargestGap",
    "LogTemplate",
    "ParseErrorLine",
    "TopicSummary",
]


@dataclass(frozen=True, slots=True)
class LargestGap(FlatRecord):
    """A topic's longest silence; `observed_s` leaves out time no parsed file covers."""

    duration_s: float
    observed_s: float
    start_ns: int
    end_ns: int
    file: str
    next_file: str | None
    where: str  # "within", "between" or "trailing"


@dataclass(frozen=True, slots=True)
class TopicSummary:
    """One topic over the whole batch: traffic, rate, normal period and largest silence."""

    count: int
    bytes: int
    schema: str
    files: int
    first_ns: int
    last_ns: int
    mean_rate_hz: float
    normal_period_s: float | None
    largest_gap: LargestGap | None

    def to_dict(self) -> JsonObject:
        """The JSON form."""
        data = record_to_dict(self)
        data["largest_gap"] = None if self.largest_gap is None else self.largest_gap.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TopicSummary:
        """Inverse of `to_dict`."""
        gap = data["largest_gap"]
        return record_from_dict(
            cls, {**data, "largest_gap": None if gap is None else LargestGap.from_dict(gap)}
        )


@dataclass(frozen=True, slots=True)
class LogTemplate(FlatRecord):
    """A mined log template: how often, worst level, busiest node and one real example."""

    template: str
    count: int
    level: str
    node: str
    example: str
    first_ns: int


@dataclass(frozen=True, slots=True)
class ComponentDiagnostics:
    """One component's diagnostics statuses: levels counted, worst level, latest message."""

    statuses: tuple[str, ...]
    hardware_ids: tuple[str, ...]
    levels: Mapping[str, int]
    count: int
    first_ns: int
    last_ns: int
    worst_level: str
    message: str

    def to_dict(self) -> JsonObject:
        """The JSON form."""
        return {
            **record_to_dict(self),
            "statuses": list(self.statuses),
            "hardware_ids": list(self.hardware_ids),
            "levels": dict(self.levels),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ComponentDiagnostics:
        """Inverse of `to_dict`."""
        return record_from_dict(
            cls,
            {
                **data,
                "statuses": tuple(data["statuses"]),
                "hardware_ids": tuple(data["hardware_ids"]),
                "levels": dict(data["levels"]),
            },
        )


@dataclass(frozen=True, slots=True)
class ParseErrorLine(FlatRecord):
    """One error a parser reported for a file (byte offset when it knows one)."""

    kind: str
    message: str
    offset: int | None


@dataclass(frozen=True, slots=True)
class FileErrors:
    """Why a file is not fully in the summary.

    `complete` and `error_count` are None (and absent from the JSON) for a file that left no
    summary at all; then `errors` is empty and `reason` says why.
    """

    failed: bool
    reason: str | None
    errors: tuple[ParseErrorLine, ...]
    complete: bool | None = None
    error_count: int | None = None

    def to_dict(self) -> JsonObject:
        """The JSON form."""
        data: JsonObject = {"failed": self.failed, "reason": self.reason}
        if self.complete is not None:
            data["complete"] = self.complete
        if self.error_count is not None:
            data["error_count"] = self.error_count
        data["errors"] = [e.to_dict() for e in self.errors]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileErrors:
        """Inverse of `to_dict`."""
        return cls(
            failed=data["failed"],
            reason=data["reason"],
            errors=tuple(ParseErrorLine.from_dict(e) for e in data["errors"]),
            complete=data.get("complete"),
            error_count=data.get("error_count"),
        )
