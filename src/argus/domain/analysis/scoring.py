"""Explainable anomaly scores and the Top-K.

    score = base × magnitude × count_factor × correlation_boost
    magnitude         = 1 + log2(min(ratio, 16))        # 1 at the threshold, at most 5
    count_factor      = 1 + log10(min(count, 1000))     # 1 for one observation, at most 4
    correlation_boost = 1 + 0.5 × k                     # k other signals agree (see below)

`base` is the kind's weight (dropout 3, burst 2.5 or 4 with FATAL, diagnostics 2, …), `ratio`
how far past the detection threshold the observation went. `k` counts the *other* signal
channels (traffic, logs, diagnostics) with a finding for the same component whose time span
overlaps this one within `correlation_margin_s`: independent sources agreeing is the strongest
sign of a real fault. Logarithms keep one huge number from drowning everything else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from argus.domain.analysis.anomaly import Anomaly
from argus.domain.analysis.findings import Finding
from argus.domain.analysis.rules import NS_PER_S, GatherRules
from argus.domain.analysis.summary import ScoreBreakdown
from argus.domain.errors import InvalidInput

__all__ = ["CHANNELS", "rank"]

MAX_RATIO = 16.0
MAX_COUNT = 1000
BOOST_PER_CHANNEL = 0.5
# Kinds that come from the same source of truth do not corroborate each other.
CHANNELS = {
    "sensor_dropout": "traffic",
    "rate_degradation": "traffic",
    "error_burst": "logs",
    "error_logs": "logs",
    "diagnostic_error": "diagnostics",
    "parse_failure": "files",
    "recording_gap": "traffic",
}


def rank(
    findings: Sequence[Finding], *, rules: GatherRules, top_k: int
) -> tuple[list[Anomaly], list[ScoreBreakdown]]:
    """The Top-K anomalies, highest score first, and how each score was computed."""
    if top_k < 0:
        raise InvalidInput(f"top_k must be >= 0, got {top_k}")
    scored = [_score(f, _agreeing_channels(f, findings, rules)) for f in findings]
    scored.sort(key=lambda item: _order(item[0]))
    top = scored[:top_k]
    return [anomaly for anomaly, _ in top], [parts for _, parts in top]


def _score(finding: Finding, agreeing: int) -> tuple[Anomaly, ScoreBreakdown]:
    magnitude = 1.0 + math.log2(min(max(finding.ratio, 1.0), MAX_RATIO))
    count_factor = 1.0 + math.log10(min(max(finding.count, 1), MAX_COUNT))
    boost = 1.0 + BOOST_PER_CHANNEL * agreeing
    score = round(finding.base * magnitude * count_factor * boost, 3)
    anomaly = Anomaly(
        kind=finding.kind,
        component=finding.component,
        score=score,
        title=finding.title,
        start_ns=finding.start_ns,
        end_ns=finding.end_ns,
        evidence=finding.evidence,
    )
    parts = ScoreBreakdown(
        kind=finding.kind,
        component=finding.component,
        base=finding.base,
        ratio=round(finding.ratio, 3),
        magnitude=round(magnitude, 3),
        count=finding.count,
        count_factor=round(count_factor, 3),
        agreeing_channels=agreeing,
        correlation_boost=boost,
        score=score,
    )
    return anomaly, parts


def _agreeing_channels(finding: Finding, findings: Sequence[Finding], rules: GatherRules) -> int:
    """How many other channels saw the same component misbehave around the same time."""
    own = CHANNELS[finding.kind]
    margin = int(rules.correlation_margin_s * NS_PER_S)
    channels = {
        CHANNELS[other.kind]
        for other in findings
        if other.component == finding.component
        and CHANNELS[other.kind] != own
        and _overlap(finding, other, margin)
    }
    return len(channels)


def _overlap(a: Finding, b: Finding, margin_ns: int) -> bool:
    if a.start_ns is None or b.start_ns is None:
        return False
    a_end = a.end_ns if a.end_ns is not None else a.start_ns
    b_end = b.end_ns if b.end_ns is not None else b.start_ns
    return a.start_ns - margin_ns <= b_end and b.start_ns - margin_ns <= a_end


def _order(anomaly: Anomaly) -> tuple[float, str, str, int, str]:
    """Score descending; ties broken by content so the order never depends on input order."""
    start = anomaly.start_ns if anomaly.start_ns is not None else -1
    return (-anomaly.score, anomaly.kind, anomaly.component, start, anomaly.title)
