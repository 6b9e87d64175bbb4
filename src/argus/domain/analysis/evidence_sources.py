"""Where evidence items come from besides the anomalies: templates, diagnostics, topics, files.

Each source scores its items so they interleave with the anomalies' own scores: an item close
in time to a high-scoring anomaly of the same component ranks near it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from argus.domain.analysis.anomaly import Anomaly, component_of, format_offset
from argus.domain.analysis.evidence_item import EvidenceItem, evidence_id
from argus.domain.analysis.rules import DEFAULT_RULES, NS_PER_S
from argus.domain.analysis.summary import BatchSummary

__all__ = ["diagnostics_items", "file_items", "onset_item", "rate_items", "template_items"]

# Templates first seen this long before or after an anomaly count as "around" it.
AROUND_S = 30
TEMPLATES_PER_ANOMALY = 3
# The loudest templates considered (gather keeps 20; a bigger summary stays cheap to prune).
MAX_TEMPLATES = 200
ONSET_COMPONENTS = 6
LEVEL_WEIGHT = {"FATAL": 1.0, "ERROR": 1.0, "WARN": 0.7, "WARNING": 0.7}
DIAGNOSTIC_WEIGHT = {"ERROR": 2.0, "STALE": 2.0, "WARN": 1.0}


def template_items(summary: BatchSummary, anomalies: Sequence[Anomaly]) -> list[EvidenceItem]:
    """Log templates first seen around an anomaly (before, during, after); loud ones anywhere."""
    items: list[EvidenceItem] = []
    margin = AROUND_S * NS_PER_S
    loud = sorted(
        summary.log_templates,
        key=lambda t: (-LEVEL_WEIGHT.get(t.level, 0.4), -t.count, t.template, t.node),
    )[:MAX_TEMPLATES]
    for anomaly in anomalies:
        window = anomaly.window
        if window is None:
            continue
        near = [t for t in loud if window.start_ns - margin <= t.first_ns <= window.end_ns + margin]
        near.sort(key=lambda t: (-LEVEL_WEIGHT.get(t.level, 0.4), -t.count, t.template))
        for t in near[:TEMPLATES_PER_ANOMALY]:
            where = (
                "before"
                if t.first_ns < window.start_ns
                else "after"
                if t.first_ns > window.end_ns
                else "during"
            )
            score = anomaly.score * 0.5 * LEVEL_WEIGHT.get(t.level, 0.4)
            items.append(_template(t.template, t.level, t.count, t.node, t.first_ns, score, where))
    for t in loud:
        if t.level in LEVEL_WEIGHT:
            weight = LEVEL_WEIGHT[t.level]
            items.append(_template(t.template, t.level, t.count, t.node, t.first_ns, weight, ""))
    return items


def _template(
    template: str, level: str, count: int, node: str, first_ns: int, score: float, where: str
) -> EvidenceItem:
    note = f" ({where} an anomaly)" if where else ""
    return EvidenceItem(
        evidence_id=evidence_id("tpl", template, node),
        component=component_of(node),
        score=round(score, 3),
        start_ns=first_ns,
        end_ns=None,
        text=f"log {level} x{count} from {node}{note}: {template}",
    )


def diagnostics_items(summary: BatchSummary, anomalies: Sequence[Anomaly]) -> list[EvidenceItem]:
    """Components whose diagnostics left OK, with their level counts and latest message."""
    items: list[EvidenceItem] = []
    for name, diag in summary.diagnostics.items():
        weight = DIAGNOSTIC_WEIGHT.get(diag.worst_level)
        if weight is None:
            continue
        component = component_of(name)
        levels = ", ".join(f"{level} {n}" for level, n in sorted(diag.levels.items()))
        items.append(
            EvidenceItem(
                evidence_id=evidence_id("diag", name),
                component=component,
                score=round(weight + 0.3 * _best_score(anomalies, component), 3),
                start_ns=diag.first_ns,
                end_ns=diag.last_ns,
                text=f"diagnostics {name} worst {diag.worst_level} ({levels}); latest: "
                f"{diag.message}",
            )
        )
    return items


def rate_items(summary: BatchSummary, anomalies: Sequence[Anomaly]) -> list[EvidenceItem]:
    """Topics whose longest silence is far beyond their normal period."""
    items: list[EvidenceItem] = []
    factor = DEFAULT_RULES.dropout_period_factor
    for name, topic in summary.topics.items():
        gap, period = topic.largest_gap, topic.normal_period_s
        if gap is None or not period or gap.observed_s < factor * period:
            continue
        ratio = gap.observed_s / period
        component = component_of(name)
        score = 0.6 * min(math.log2(ratio), 5.0) + 0.3 * _best_score(anomalies, component)
        items.append(
            EvidenceItem(
                evidence_id=evidence_id("rate", name),
                component=component,
                score=round(score, 3),
                start_ns=gap.start_ns,
                end_ns=gap.end_ns,
                text=f"topic {name}: {topic.mean_rate_hz:.1f} Hz mean, normal period "
                f"{period:.3g} s, silent {gap.observed_s:.1f} s ({gap.where} {gap.file})",
            )
        )
    return items


def file_items(summary: BatchSummary) -> list[EvidenceItem]:
    """Files that failed or were read only partly."""
    items: list[EvidenceItem] = []
    for name, errors in summary.parse_errors.items():
        if errors.failed:
            text, score = f"file {name} could not be parsed: {errors.reason}", 3.0
        else:
            first = errors.errors[0] if errors.errors else None
            detail = "" if first is None else f"; first: {first.kind} {first.message}"
            count = errors.error_count if errors.error_count is not None else len(errors.errors)
            text, score = f"file {name} read partly, error count {count}{detail}", 2.0
        items.append(EvidenceItem(evidence_id("file", name), "recorder", score, None, None, text))
    return items


def onset_item(anomalies: Sequence[Anomaly], origin: int | None) -> list[EvidenceItem]:
    """Which component went wrong first, then the others in order (what failed first)."""
    first: dict[str, Anomaly] = {}
    for anomaly in sorted(
        (a for a in anomalies if a.start_ns is not None), key=lambda a: (a.start_ns, a.anomaly_id)
    ):
        first.setdefault(anomaly.component, anomaly)
    if len(first) < 2:
        return []
    ordered = list(first.values())[:ONSET_COMPONENTS]
    start = ordered[0].start_ns
    assert start is not None  # only timed anomalies are ordered
    steps = [f"{ordered[0].component} at {format_offset(start, origin)} [{ordered[0].anomaly_id}]"]
    for a in ordered[1:]:
        delay = ((a.start_ns or start) - start) / NS_PER_S
        steps.append(f"{a.component} +{delay:.1f} s [{a.anomaly_id}]")
    return [
        EvidenceItem(
            evidence_id=evidence_id("seq", *(a.anomaly_id for a in ordered)),
            component=ordered[0].component,
            score=round(0.9 * max(a.score for a in anomalies), 3),
            start_ns=start,
            end_ns=ordered[-1].start_ns,
            text="onset order: " + ", then ".join(steps),
        )
    ]


def _best_score(anomalies: Sequence[Anomaly], component: str) -> float:
    return max((a.score for a in anomalies if a.component == component), default=0.0)
