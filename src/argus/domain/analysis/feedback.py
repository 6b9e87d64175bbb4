"""An engineer's feedback on a batch's diagnosis: confirmed, or corrected."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from argus.domain.analysis._json import JsonObject
from argus.domain.analysis.anomaly import SEVERITIES
from argus.domain.analysis.precedents import Outcome, Precedent
from argus.domain.errors import InvalidInput
from argus.domain.identifiers import has_control_characters

__all__ = [
    "FEEDBACK_NOTE_MAX_CHARS",
    "FEEDBACK_VERDICTS",
    "Feedback",
    "precedent_of",
    "reviewed_first",
]

FEEDBACK_NOTE_MAX_CHARS = 2000
FEEDBACK_VERDICTS = (Outcome.CONFIRMED, Outcome.CORRECTED)
_LINE_BREAKS = str.maketrans("", "", "\t\n\r")


@dataclass(frozen=True, slots=True)
class Feedback:
    """What an engineer said of one diagnosis; the latest feedback of a batch wins.

    A correction names at least one of component, root cause and severity; what it leaves
    out stays as the diagnosis said. `created_at` is when the first feedback on the batch was
    given, `updated_at` when this one was (None before it is stored).
    """

    verdict: Outcome
    component: str | None = None
    root_cause: str | None = None
    severity: str | None = None
    note: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.verdict not in FEEDBACK_VERDICTS:
            allowed = ", ".join(v.value for v in FEEDBACK_VERDICTS)
            raise InvalidInput(f"verdict must be one of {allowed}, got {self.verdict.value!r}")
        fields = (self.component, self.root_cause, self.severity)
        if self.verdict is Outcome.CORRECTED and not any(f and f.strip() for f in fields):
            raise InvalidInput("a correction needs a component, a root_cause or a severity")
        if self.severity is not None and self.severity not in SEVERITIES:
            raise InvalidInput(f"severity must be one of {', '.join(SEVERITIES)}")
        if len(self.note) > FEEDBACK_NOTE_MAX_CHARS:
            raise InvalidInput(f"note must be at most {FEEDBACK_NOTE_MAX_CHARS} characters")

    @classmethod
    def parse(
        cls,
        *,
        verdict: str,
        component: str | None = None,
        root_cause: str | None = None,
        severity: str | None = None,
        note: str | None = None,
    ) -> Feedback:
        """From untrusted input; InvalidInput when it breaks a rule above or holds control
        characters (a note may have tabs and line breaks)."""
        for name, text in (("component", component), ("root_cause", root_cause)):
            if text is not None and has_control_characters(text):
                raise InvalidInput(f"{name} must not contain control characters")
        if note is not None and has_control_characters(note.translate(_LINE_BREAKS)):
            raise InvalidInput("note must not contain control characters but tabs and newlines")
        try:
            outcome = Outcome(verdict)
        except ValueError as exc:
            raise InvalidInput("verdict must be one of confirmed, corrected") from exc
        return cls(outcome, component, root_cause, severity, note or "")

    def stamped(self, *, created_at: datetime, updated_at: datetime) -> Feedback:
        """The same feedback with the times the store gave it."""
        return replace(self, created_at=created_at, updated_at=updated_at)

    def outcome_over(
        self, *, component: str, root_cause: str, severity: str
    ) -> tuple[str, str, str]:
        """(component, root cause, severity) to learn from: the correction over the diagnosis."""
        return (
            self.component or component,
            self.root_cause or root_cause,
            self.severity or severity,
        )

    def to_dict(self) -> JsonObject:
        """The report's `feedback` object."""
        return {
            "verdict": self.verdict.value,
            "component": self.component,
            "root_cause": self.root_cause,
            "severity": self.severity,
            "note": self.note,
            "created_at": None if self.created_at is None else self.created_at.isoformat(),
            "updated_at": None if self.updated_at is None else self.updated_at.isoformat(),
        }


def reviewed_first(candidates: Iterable[Precedent], k: int) -> list[Precedent]:
    """The `k` precedents to show: reviewed ones (confirmed or corrected) first, then the
    most similar; engineers' word beats a closer but unchecked guess among near neighbours."""
    ranked = sorted(
        candidates, key=lambda p: (p.outcome is Outcome.UNREVIEWED, -p.similarity, p.batch_id)
    )
    return ranked[:k]


def precedent_of(
    *,
    batch_id: str,
    vehicle_id: str,
    similarity: float,
    component: str,
    root_cause: str,
    severity: str,
    feedback: Feedback | None,
) -> Precedent:
    """A stored diagnosis as a precedent: the engineer's correction over what it said."""
    if feedback is not None:
        component, root_cause, severity = feedback.outcome_over(
            component=component, root_cause=root_cause, severity=severity
        )
    return Precedent(
        batch_id=batch_id,
        vehicle_id=vehicle_id,
        similarity=round(similarity, 4),
        component=component,
        severity=severity,
        root_cause=root_cause,
        outcome=Outcome.UNREVIEWED if feedback is None else feedback.verdict,
        note="" if feedback is None else feedback.note,
    )
