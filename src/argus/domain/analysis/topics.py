"""Per-topic statistics across files, sensor dropouts and rate degradation.

Dropouts are silences (see `silences`) longer than max(`dropout_period_factor` × the topic's
normal period, `dropout_floor_s`); silences most topics share become one recording gap instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

from argus.domain.analysis.anomaly import Evidence, component_of, format_offset
from argus.domain.analysis.findings import Finding
from argus.domain.analysis.rules import NS_PER_S, GatherRules
from argus.domain.analysis.silences import Silence, find_silences, split_shared
from argus.domain.analysis.summary_parts import LargestGap, TopicSummary
from argus.domain.analysis.text import plural, seconds
from argus.domain.analysis.timeline import TimedFile
from argus.domain.parsed_file import TopicStats

__all__ = ["analyse_topics"]

_Entry = tuple[str, TopicStats]
DROPOUT_BASE = 3.0
DEGRADATION_BASE = 1.5


def analyse_topics(
    timed: Sequence[TimedFile],
    holes: Sequence[tuple[int, int]],
    *,
    rules: GatherRules,
    origin_ns: int | None,
) -> tuple[dict[str, TopicSummary], list[Finding]]:
    """Per-topic summary and the dropout / rate-degradation findings, topics in name order."""
    per_topic: dict[str, list[_Entry]] = {}
    for file_name, parsed in timed:
        for name, stats in parsed.topics.items():
            if stats.count > 0 and stats.first_ns is not None and stats.last_ns is not None:
                per_topic.setdefault(name, []).append((file_name, stats))
    batch_end = max((p.end_ns or 0 for _, p in timed), default=0)
    summary: dict[str, TopicSummary] = {}
    findings: list[Finding] = []
    candidates: dict[str, list[Silence]] = {}
    periods: dict[str, tuple[float, float]] = {}
    for topic in sorted(per_topic):
        entries = per_topic[topic]
        period_ns = _normal_period_ns(entries, rules)
        silences = find_silences(entries, holes, batch_end)
        summary[topic] = _topic_summary(entries, period_ns, silences)
        if period_ns is None or _is_event_topic(topic, entries, rules):
            continue
        threshold_ns = max(
            rules.dropout_period_factor * period_ns, rules.dropout_floor_s * NS_PER_S
        )
        periods[topic] = (period_ns, threshold_ns)
        candidates[topic] = [s for s in silences if s.observed_ns > threshold_ns]
        degraded = _degradation(topic, entries, rules)
        if degraded is not None:
            findings.append(degraded)
    kept, shared = split_shared(candidates, watched=len(periods), rules=rules, origin_ns=origin_ns)
    findings.extend(shared)
    for topic, gaps in sorted(kept.items()):
        period_ns, threshold_ns = periods[topic]
        findings.append(_dropout(topic, gaps, period_ns, threshold_ns, rules, origin_ns))
    return summary, findings


def _robust_period_ns(stats: TopicStats) -> float | None:
    """Mean interval of one file's messages without its largest gap (a dropout must not count)."""
    if stats.count < 3 or stats.max_gap is None or stats.first_ns is None or stats.last_ns is None:
        return None
    span = stats.last_ns - stats.first_ns - stats.max_gap.duration_ns
    return span / (stats.count - 2) if span > 0 else None


def _normal_period_ns(entries: Sequence[_Entry], rules: GatherRules) -> float | None:
    """The topic's normal period: the median of the files' robust periods."""
    if sum(stats.count for _, stats in entries) < rules.min_messages_for_rate:
        return None
    periods = [p for _, stats in entries if (p := _robust_period_ns(stats)) is not None]
    return median(periods) if periods else None


def _is_event_topic(topic: str, entries: Sequence[_Entry], rules: GatherRules) -> bool:
    schemas = {stats.schema for _, stats in entries}
    return topic in rules.event_topics or bool(schemas & rules.event_schemas)


def _topic_summary(
    entries: Sequence[_Entry], period_ns: float | None, silences: Sequence[Silence]
) -> TopicSummary:
    counted = [(s.count - 1, (s.last_ns or 0) - (s.first_ns or 0)) for _, s in entries]
    span_ns = sum(span for _, span in counted if span > 0)
    intervals = sum(n for n, span in counted if span > 0)
    # Ranked by observed silence: a stretch no file covers says nothing about the sensor.
    largest = max(
        silences, key=lambda s: (s.observed_ns, s.end_ns - s.start_ns, -s.start_ns), default=None
    )
    return TopicSummary(
        count=sum(s.count for _, s in entries),
        bytes=sum(s.bytes for _, s in entries),
        schema=next((s.schema for _, s in entries if s.schema), ""),
        files=len(entries),
        first_ns=min(s.first_ns or 0 for _, s in entries),
        last_ns=max(s.last_ns or 0 for _, s in entries),
        mean_rate_hz=round(intervals * NS_PER_S / span_ns, 3) if span_ns else 0.0,
        normal_period_s=None if period_ns is None else round(period_ns / NS_PER_S, 6),
        largest_gap=None
        if largest is None
        else LargestGap(
            duration_s=seconds(largest.end_ns - largest.start_ns),
            observed_s=seconds(largest.observed_ns),
            start_ns=largest.start_ns,
            end_ns=largest.end_ns,
            file=largest.file,
            next_file=largest.next_file,
            where=largest.where,
        ),
    )


def _dropout(
    topic: str,
    gaps: Sequence[Silence],
    period_ns: float,
    threshold_ns: float,
    rules: GatherRules,
    origin_ns: int | None,
) -> Finding:
    ranked = sorted(gaps, key=lambda s: (-s.observed_ns, s.start_ns))
    worst = ranked[0]
    more = f" ({plural(len(gaps), 'gap')})" if len(gaps) > 1 else ""
    norm = f"normal period {period_ns / NS_PER_S:.3f} s, threshold {threshold_ns / NS_PER_S:.1f} s"
    evidence = tuple(
        Evidence(file=s.file, t_ns=s.start_ns, detail=_gap_detail(s, origin_ns) + f"; {norm}")
        for s in ranked[: rules.max_evidence]
    )
    return Finding(
        kind="sensor_dropout",
        component=component_of(topic),
        title=f"{topic} stopped publishing for {worst.observed_ns / NS_PER_S:.1f} s{more}",
        start_ns=worst.start_ns,
        end_ns=worst.end_ns,
        evidence=evidence,
        base=DROPOUT_BASE,
        ratio=worst.observed_ns / threshold_ns,
        count=len(gaps),
    )


def _gap_detail(gap: Silence, origin_ns: int | None) -> str:
    start, end = format_offset(gap.start_ns, origin_ns), format_offset(gap.end_ns, origin_ns)
    silent = f"{gap.observed_ns / NS_PER_S:.1f} s silent"
    if gap.where == "between":
        return f"last message at {start} in {gap.file}, next at {end} in {gap.next_file} ({silent})"
    if gap.where == "trailing":
        return f"last message at {start} in {gap.file}, none until the batch ends at {end}"
    return f"no message from {start} to {end} ({silent})"


def _degradation(topic: str, entries: Sequence[_Entry], rules: GatherRules) -> Finding | None:
    """Files whose robust rate is below `degraded_rate_fraction` of the median file's rate."""
    rates = [
        (file_name, stats, NS_PER_S / period)
        for file_name, stats in entries
        if (period := _robust_period_ns(stats)) is not None
    ]
    if len(rates) < 2:
        return None
    reference = median(rate for _, _, rate in rates)
    slow = sorted(
        (r for r in rates if r[2] < rules.degraded_rate_fraction * reference), key=lambda r: r[2]
    )
    if not slow:
        return None
    worst_file, worst_stats, worst_rate = slow[0]
    evidence = tuple(
        Evidence(
            file=f,
            t_ns=s.first_ns,
            detail=f"{s.count} messages at {rate:.2f} Hz vs {reference:.2f} Hz median across files",
        )
        for f, s, rate in slow[: rules.max_evidence]
    )
    return Finding(
        kind="rate_degradation",
        component=component_of(topic),
        title=f"{topic} rate fell to {worst_rate:.1f} Hz (normal {reference:.1f} Hz)"
        + (f" in {plural(len(slow), 'file')}" if len(slow) > 1 else f" in {worst_file}"),
        start_ns=worst_stats.first_ns,
        end_ns=worst_stats.last_ns,
        evidence=evidence,
        base=DEGRADATION_BASE,
        ratio=rules.degraded_rate_fraction * reference / worst_rate,
        count=len(slow),
    )
