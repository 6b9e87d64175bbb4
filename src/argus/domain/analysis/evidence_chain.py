"""One step of a diagnosis' propagation chain: root cause first, then its symptoms in time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argus.domain.analysis._json import JsonObject

__all__ = ["MAX_CHAIN_STEPS", "MAX_STEP_EVIDENCE", "ChainStep"]

# A chain reads alike whichever engine stated it: the rules (`rule_chain.py`) and the model's
# validated answer (`application/diagnosis/answer.py`) are both held to these bounds.
MAX_CHAIN_STEPS = 10
MAX_STEP_EVIDENCE = 12


@dataclass(frozen=True, slots=True)
class ChainStep:
    """What happened in a component, when (seconds after the batch start), on what evidence."""

    component: str
    event: str
    start_s: float | None
    end_s: float | None
    evidence_ids: tuple[str, ...]

    def to_dict(self) -> JsonObject:
        """The JSON form."""
        return {
            "component": self.component,
            "event": self.event,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "evidence_ids": list(self.evidence_ids),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChainStep:
        """Inverse of `to_dict`."""
        return cls(
            component=data["component"],
            event=data["event"],
            start_s=data.get("start_s"),
            end_s=data.get("end_s"),
            evidence_ids=tuple(data.get("evidence_ids", ())),
        )
