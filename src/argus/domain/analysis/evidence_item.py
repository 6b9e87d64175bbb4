"""`EvidenceItem`: one citable observation, and how its stable id is made."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from argus.domain.analysis.anomaly import format_offset

__all__ = ["MAX_LINE_CHARS", "EvidenceItem", "evidence_id"]

MAX_LINE_CHARS = 240


def evidence_id(prefix: str, *parts: object) -> str:
    """`<prefix>-<12 hex>` from the parts: the same parts always give the same id."""
    key = "\x1f".join(str(p) for p in parts)
    return f"{prefix}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One observation a diagnosis may cite by `evidence_id`; higher `score` comes first."""

    evidence_id: str
    component: str
    score: float
    start_ns: int | None
    end_ns: int | None
    text: str

    def line(self, origin_ns: int | None) -> str:
        """The item as one prompt line: `[id] when component: text`."""
        when = ""
        if self.start_ns is not None:
            when = format_offset(self.start_ns, origin_ns)
            if self.end_ns is not None and self.end_ns > self.start_ns:
                when += "-" + format_offset(self.end_ns, origin_ns)
            when += " "
        line = f"[{self.evidence_id}] {when}{self.component}: {self.text}"
        return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + "…"
