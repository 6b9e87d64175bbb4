"""The rules' propagation chain: the suspect's anomalies first, then the others in time order.

The rules pick a suspect by summed score; the chain states what they saw around it, one step
per component, each citing the anomaly ids the evidence list holds, so a reader (or an
evaluation) can check every step against the report. It claims no causality beyond the order:
the suspect is put first because the rules blame it, the rest by when they started.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from argus.domain.analysis.anomaly import Anomaly
from argus.domain.analysis.evidence_chain import MAX_CHAIN_STEPS, MAX_STEP_EVIDENCE, ChainStep
from argus.domain.analysis.rules import NS_PER_S

__all__ = ["MAX_CHAIN_STEPS", "MAX_STEP_EVIDENCE", "cited_ids", "rule_chain"]

# What each kind of anomaly says happened in its component, in a few words.
_EVENTS = {
    "sensor_dropout": "data stopped",
    "rate_degradation": "publish rate dropped",
    "error_burst": "error burst",
    "error_logs": "error logs",
    "diagnostic_error": "diagnostics error",
    "parse_failure": "file unreadable",
    "recording_gap": "recording stalled",
}


def rule_chain(
    anomalies: Sequence[Anomaly], *, suspect: str, origin_ns: int | None, known_ids: Collection[str]
) -> tuple[ChainStep, ...]:
    """One step per component: `suspect` first, then the others by their first anomaly's start.

    Only anomalies whose id is in `known_ids` (the evidence list) are cited; anomalies without a
    time (a failed file) come after the timed ones, in Top-K order.
    """
    ranked = sorted(
        (i for i, a in enumerate(anomalies) if a.anomaly_id in known_ids),
        key=lambda i: (anomalies[i].start_ns is None, anomalies[i].start_ns or 0, i),
    )
    grouped: dict[str, list[Anomaly]] = {}
    for i in ranked:
        grouped.setdefault(anomalies[i].component, []).append(anomalies[i])
    order = sorted(grouped, key=lambda c: c != suspect)  # stable: the rest stay in time order
    return tuple(_step(c, grouped[c], origin_ns) for c in order[:MAX_CHAIN_STEPS])


def cited_ids(chain: Sequence[ChainStep]) -> tuple[str, ...]:
    """Every evidence id the chain cites, first mention first."""
    return tuple(dict.fromkeys(i for step in chain for i in step.evidence_ids))


def _step(component: str, mine: Sequence[Anomaly], origin_ns: int | None) -> ChainStep:
    timed = [a for a in mine if a.start_ns is not None]
    start_ns = timed[0].start_ns if timed else None
    end_ns = max((a.end_ns or a.start_ns or 0 for a in timed), default=None)
    return ChainStep(
        component=component,
        event=", ".join(dict.fromkeys(_event(a) for a in mine)),
        start_s=_seconds(start_ns, origin_ns),
        end_s=_seconds(end_ns, origin_ns),
        evidence_ids=tuple(a.anomaly_id for a in mine[:MAX_STEP_EVIDENCE]),
    )


def _event(anomaly: Anomaly) -> str:
    if anomaly.kind == "diagnostic_error" and "STALE" in anomaly.title:
        return "diagnostics stale"
    if anomaly.kind in ("error_burst", "error_logs") and "FATAL" in anomaly.title:
        return "fatal " + _EVENTS[anomaly.kind]
    return _EVENTS[anomaly.kind]


def _seconds(t_ns: int | None, origin_ns: int | None) -> float | None:
    """Seconds after the batch start as recorded (the ground truth's time base), ms precision."""
    if t_ns is None or origin_ns is None:
        return None
    return round((t_ns - origin_ns) / NS_PER_S, 3)
