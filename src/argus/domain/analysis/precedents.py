"""Precedents: similar past incidents, with what engineers said about their diagnosis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from argus.domain.analysis._json import JsonObject

__all__ = ["Outcome", "Precedent"]


class Outcome(StrEnum):
    """What an engineer said of a stored diagnosis (retrieval ranks reviewed ones first)."""

    CONFIRMED = "confirmed"
    CORRECTED = "corrected"
    UNREVIEWED = "unreviewed"


@dataclass(frozen=True, slots=True)
class Precedent:
    """A past batch of the same fleet whose signature is similar to the one being diagnosed.

    `component`, `severity` and `root_cause` are the outcome to learn from: the engineer's
    correction when there is one, else the stored diagnosis.
    """

    batch_id: str
    vehicle_id: str
    similarity: float
    component: str
    severity: str
    root_cause: str
    outcome: Outcome
    note: str = ""

    def to_dict(self) -> JsonObject:
        """The JSON form."""
        return {
            "batch_id": self.batch_id,
            "vehicle_id": self.vehicle_id,
            "similarity": self.similarity,
            "component": self.component,
            "severity": self.severity,
            "root_cause": self.root_cause,
            "outcome": self.outcome.value,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Precedent:
        """Inverse of `to_dict`."""
        return cls(
            batch_id=data["batch_id"],
            vehicle_id=data["vehicle_id"],
            similarity=float(data["similarity"]),
            component=data["component"],
            severity=data["severity"],
            root_cause=data["root_cause"],
            outcome=Outcome(data["outcome"]),
            note=data.get("note", ""),
        )
