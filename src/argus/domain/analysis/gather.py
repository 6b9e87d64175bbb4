"""Gather: many per-file summaries in, one `BatchSummary` and its Top-K anomalies out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from argus.domain.analysis.anomaly import Anomaly
from argus.domain.analysis.diagnostics import analyse_diagnostics
from argus.domain.analysis.files import analyse_files
from argus.domain.analysis.findings import FileResult
from argus.domain.analysis.logs import analyse_logs, log_level_counts
from argus.domain.analysis.rules import DEFAULT_RULES, GatherRules
from argus.domain.analysis.scoring import rank
from argus.domain.analysis.summary import BatchSummary, Totals
from argus.domain.analysis.templates import TemplateMiner
from argus.domain.analysis.timeline import (
    coverage_holes,
    natural_key,
    timed_files,
    timeline_summary,
)
from argus.domain.analysis.topics import analyse_topics

__all__ = ["GatherResult", "gather"]


@dataclass(frozen=True, slots=True)
class GatherResult:
    """The batch summary and the Top-K anomalies, highest score first."""

    summary: BatchSummary
    anomalies: list[Anomaly]


def gather(
    files: Sequence[FileResult],
    *,
    template_miner: TemplateMiner,
    top_k: int = 10,
    rules: GatherRules = DEFAULT_RULES,
) -> GatherResult:
    """Merge one batch's file summaries into a batch summary and its Top-K scored anomalies."""
    timed = timed_files(files)
    holes = coverage_holes(timed)
    timeline = timeline_summary(timed, holes, min_hole_s=rules.dropout_floor_s)
    origin = timeline.start_ns
    parsed = [
        (f.file_name, f.parsed)
        for f in sorted(files, key=lambda f: natural_key(f.file_name))
        if f.parsed is not None
    ]
    topics, topic_findings = analyse_topics(timed, holes, rules=rules, origin_ns=origin)
    templates, log_findings = analyse_logs(parsed, miner=template_miner, rules=rules)
    diagnostics, diag_findings = analyse_diagnostics(parsed, rules=rules, origin_ns=origin)
    listing, parse_errors, file_findings = analyse_files(files, rules=rules)
    findings = topic_findings + log_findings + diag_findings + file_findings
    anomalies, scoring = rank(findings, rules=rules, top_k=top_k)
    summary = BatchSummary(
        timeline=timeline,
        totals=_totals(files),
        files=tuple(listing),
        topics=topics,
        log_levels=log_level_counts([p for _, p in parsed]),
        log_templates=tuple(templates),
        diagnostics=diagnostics,
        parse_errors=parse_errors,
        anomaly_counts=dict(sorted(Counter(f.kind for f in findings).items())),
        scoring=tuple(scoring),
    )
    return GatherResult(summary=summary, anomalies=anomalies)


def _totals(files: Sequence[FileResult]) -> Totals:
    parsed = [f.parsed for f in files if f.parsed is not None]
    # A file the pipeline marked failed counts as failed even when it left a partial summary
    # (a truncated file): its data still feeds the statistics below.
    failed = sum(1 for f in files if f.parsed is None or f.failure_reason is not None)
    return Totals(
        files=len(files),
        parsed=len(files) - failed,
        failed=failed,
        partial=sum(1 for p in parsed if not p.complete),
        messages=sum(p.message_count for p in parsed),
        bytes=sum(s.bytes for p in parsed for s in p.topics.values()),
        log_events=sum(len(p.log_events) for p in parsed),
        diagnostic_events=sum(len(p.diagnostic_events) for p in parsed),
        dropped_events=sum(p.dropped_events for p in parsed),
    )
