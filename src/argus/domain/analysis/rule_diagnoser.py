"""`RuleBasedDiagnoser`: an offline, explainable diagnosis from the Top-K anomalies.

The suspected component is the one with the highest summed anomaly score; the root cause joins
the titles of its anomalies and adds a hypothesis chosen by which kinds of signal agree; the
chain (`rule_chain`) cites the anomalies by their evidence ids, the suspect first. No
network, no model: the baseline the LLM diagnoser is compared against, and its fallback.
"""

from __future__ import annotations

from collections.abc import Sequence

from argus.domain.analysis.anomaly import NO_COMPONENT, SEVERITIES, Anomaly, Diagnosis
from argus.domain.analysis.corrections import FOLLOW_SIMILARITY, follow_correction
from argus.domain.analysis.evidence import build_evidence
from argus.domain.analysis.precedents import Precedent
from argus.domain.analysis.rule_advice import PERCEPTION, STATE_SENSORS, actions, hypothesis, when
from argus.domain.analysis.rule_chain import cited_ids, rule_chain
from argus.domain.analysis.rules import NS_PER_S
from argus.domain.analysis.scoring import CHANNELS
from argus.domain.analysis.summary import BatchSummary

__all__ = ["ENGINE", "RuleBasedDiagnoser", "diagnose_offline"]

ENGINE = "offline-rules"
MAX_EVIDENCE = 6


class RuleBasedDiagnoser:
    """The `Diagnoser` port, answered by fixed rules (engine "offline-rules")."""

    engine = ENGINE

    def __init__(self, *, follow_similarity: float = FOLLOW_SIMILARITY) -> None:
        self._follow_similarity = follow_similarity

    async def diagnose(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        precedents: Sequence[Precedent] = (),
    ) -> Diagnosis:
        """Diagnose one batch from its summary and Top-K anomalies; an engineer's correction of
        a near-identical precedent wins over the rules (`follow_correction`)."""
        rules = diagnose_offline(summary=summary, anomalies=anomalies)
        return follow_correction(
            rules, precedents, anomalies, min_similarity=self._follow_similarity
        )


def diagnose_offline(*, summary: BatchSummary, anomalies: Sequence[Anomaly]) -> Diagnosis:
    """The rule-based diagnosis; pure, so the same input always gives the same output."""
    if not anomalies:
        return _clean(summary)
    totals: dict[str, float] = {}
    for anomaly in anomalies:
        totals[anomaly.component] = totals.get(anomaly.component, 0.0) + anomaly.score
    # Ties go to the component whose best anomaly ranks first.
    suspect = max(totals, key=lambda c: (totals[c], -_first_index(anomalies, c)))
    related = tuple(i for i, a in enumerate(anomalies) if a.component == suspect)
    mine = [anomalies[i] for i in related]
    origin = summary.timeline.start_ns
    share = totals[suspect] / sum(totals.values()) if sum(totals.values()) > 0 else 1.0
    channels = {CHANNELS.get(a.kind, a.kind) for a in mine}
    known = {item.evidence_id for item in build_evidence(summary, anomalies)}
    chain = rule_chain(anomalies, suspect=suspect, origin_ns=origin, known_ids=known)
    return Diagnosis(
        component=suspect,
        root_cause=_root_cause(suspect, mine, origin),
        severity=_severity(suspect, mine, len(channels)),
        confidence=round(min(0.95, 0.3 + 0.4 * share + 0.1 * (len(channels) - 1)), 2),
        evidence=_evidence(mine, anomalies, suspect, totals, origin),
        actions=actions(suspect, mine, origin),
        engine=ENGINE,
        related_anomalies=related,
        chain=chain,
        cited_evidence_ids=cited_ids(chain),
    )


def _first_index(anomalies: Sequence[Anomaly], component: str) -> int:
    return next(i for i, a in enumerate(anomalies) if a.component == component)


def _clean(summary: BatchSummary) -> Diagnosis:
    totals, timeline = summary.totals, summary.timeline
    observed = f"{totals.files} files, {totals.messages} messages over {timeline.duration_s} s"
    return Diagnosis(
        component=NO_COMPONENT,
        root_cause="Nothing abnormal was found: no sensor dropouts, rate drops, error bursts, "
        "diagnostics errors or parse failures in this batch.",
        severity="info",
        confidence=0.8,
        evidence=(f"{observed}; no anomaly passed the detection thresholds",),
        actions=("No action needed.",),
        engine=ENGINE,
        related_anomalies=(),
    )


def _root_cause(component: str, mine: Sequence[Anomaly], origin: int | None) -> str:
    """What was seen (the lead anomaly, then up to two from other kinds) and why it likely was."""
    lead = mine[0]
    others: list[Anomaly] = []
    for a in mine[1:]:
        if a.kind != lead.kind and all(a.kind != o.kind for o in others) and len(others) < 2:
            others.append(a)
    observed = lead.title + when(lead, origin)
    if others:
        observed += " while " + " and ".join(a.title for a in others)
    return f"{observed} — {hypothesis(component, mine)}."


def _level(component: str, anomaly: Anomaly) -> int:
    """Severity index (into SEVERITIES) that one anomaly alone justifies."""
    duration_s = 0.0
    if anomaly.start_ns is not None and anomaly.end_ns is not None:
        duration_s = (anomaly.end_ns - anomaly.start_ns) / NS_PER_S
    sensor = component in PERCEPTION | STATE_SENSORS
    fatal = "FATAL" in anomaly.title
    if anomaly.kind == "sensor_dropout":
        if component in PERCEPTION:
            return 4 if duration_s >= 10 else 3 if duration_s >= 2 else 2
        return 3 if sensor and duration_s >= 2 else 2
    if anomaly.kind in ("error_burst", "error_logs"):
        return 3 if fatal else 2 if anomaly.kind == "error_burst" else 1
    if anomaly.kind == "diagnostic_error":
        persistent = "STALE" in anomaly.title or duration_s >= 10
        return 3 if sensor and persistent else 2
    if anomaly.kind == "rate_degradation":
        return 2 if component in PERCEPTION else 1
    if anomaly.kind == "recording_gap":
        return 2
    # A failed or partly read file lost data; read errors alone may have lost none.
    lost = " could not be parsed" in anomaly.title or " was read only partly" in anomaly.title
    return 2 if lost else 1


def _severity(component: str, mine: Sequence[Anomaly], channels: int) -> str:
    """The worst single-anomaly level, one step up when three signal channels agree."""
    level = max(_level(component, a) for a in mine)
    if channels >= 3 and level >= 2:
        level += 1
    return SEVERITIES[min(level, len(SEVERITIES) - 1)]


def _evidence(
    mine: Sequence[Anomaly],
    anomalies: Sequence[Anomaly],
    suspect: str,
    totals: dict[str, float],
    origin: int | None,
) -> tuple[str, ...]:
    lines: list[str] = []
    for a in mine:
        lines.append(f"{a.kind} (score {a.score:.1f}): {a.title}{when(a, origin)}")
        if a.evidence:
            lines.append(f"  {a.evidence[0].file}: {a.evidence[0].detail}")
    others = sorted((c for c in totals if c != suspect), key=lambda c: (-totals[c], c))
    lines = lines[: MAX_EVIDENCE - 1] if others else lines[:MAX_EVIDENCE]
    if others:
        listed = ", ".join(f"{c} ({totals[c]:.1f})" for c in others[:4])
        lines.append(f"other components with anomalies (summed score): {listed}")
    return tuple(lines)
