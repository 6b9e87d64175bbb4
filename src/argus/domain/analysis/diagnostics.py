"""Diagnostics problems per component: statuses in WARN, ERROR or STALE.

Every component with ERROR or STALE statuses becomes one `diagnostic_error` finding, spanning
its first to last problem status; WARN-only components are summarised but not flagged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from argus.domain.analysis.anomaly import Evidence, component_of, format_offset
from argus.domain.analysis.findings import Finding
from argus.domain.analysis.rules import NS_PER_S, GatherRules
from argus.domain.analysis.summary_parts import ComponentDiagnostics
from argus.domain.analysis.text import shorten
from argus.domain.parsed_file import DiagnosticEvent, ParsedFile

__all__ = ["analyse_diagnostics"]

DIAGNOSTIC_BASE = 2.0
PROBLEM_LEVELS = ("ERROR", "STALE")
_RANK = {"OK": 0, "WARN": 1, "ERROR": 2, "STALE": 3}
_FileEvent = tuple[str, DiagnosticEvent]


def analyse_diagnostics(
    files: Sequence[tuple[str, ParsedFile]], *, rules: GatherRules, origin_ns: int | None
) -> tuple[dict[str, ComponentDiagnostics], list[Finding]]:
    """Per-component summary of problem statuses and one finding per ERROR/STALE component."""
    events = sorted(
        ((name, e) for name, p in files for e in p.diagnostic_events),
        key=lambda fe: (fe[1].t_ns, fe[1].name, fe[1].level, fe[1].message, fe[0]),
    )
    by_component: dict[str, list[_FileEvent]] = {}
    for file_name, event in events:
        key = component_of(event.name or event.hardware_id)
        by_component.setdefault(key, []).append((file_name, event))
    summary: dict[str, ComponentDiagnostics] = {}
    findings: list[Finding] = []
    for component in sorted(by_component):
        group = by_component[component]
        summary[component] = _component_summary(group, rules)
        problems = [fe for fe in group if fe[1].level in PROBLEM_LEVELS]
        if problems:
            findings.append(_finding(component, problems, rules, origin_ns))
    return summary, findings


def _rank(level: str) -> tuple[int, str]:
    return _RANK.get(level, 1), level


def _component_summary(group: Sequence[_FileEvent], rules: GatherRules) -> ComponentDiagnostics:
    levels = Counter(e.level for _, e in group)
    worst = max(levels, key=_rank)
    latest = next(e for _, e in reversed(group) if e.level == worst)
    return ComponentDiagnostics(
        statuses=tuple(sorted({e.name for _, e in group})[:5]),
        hardware_ids=tuple(sorted({e.hardware_id for _, e in group if e.hardware_id})[:5]),
        levels={level: levels[level] for level in sorted(levels, key=_rank)},
        count=len(group),
        first_ns=group[0][1].t_ns,
        last_ns=group[-1][1].t_ns,
        worst_level=worst,
        message=shorten(latest.message, rules.max_detail_chars),
    )


def _finding(
    component: str, problems: Sequence[_FileEvent], rules: GatherRules, origin_ns: int | None
) -> Finding:
    start, end = problems[0][1].t_ns, problems[-1][1].t_ns
    names = sorted({e.name for _, e in problems})
    who = names[0] + (f" and {len(names) - 1} more" if len(names) > 1 else "")
    levels = "/".join(sorted({e.level for _, e in problems}, key=_rank))
    message = Counter(e.message for _, e in problems).most_common(1)[0][0]
    span_s = (end - start) / NS_PER_S
    return Finding(
        kind="diagnostic_error",
        component=component,
        title=f"diagnostics flagged {who} {levels} {len(problems)}× over {span_s:.1f} s"
        + (f": '{shorten(message, 80)}'" if message else ""),
        start_ns=start,
        end_ns=end,
        evidence=_evidence(problems, rules, origin_ns),
        base=DIAGNOSTIC_BASE,
        ratio=max(1.0, span_s / rules.diagnostic_persist_s),
        count=len(problems),
    )


def _evidence(
    problems: Sequence[_FileEvent], rules: GatherRules, origin_ns: int | None
) -> tuple[Evidence, ...]:
    """One line per distinct (level, status, hardware, message), in order of first appearance."""
    seen: dict[tuple[str, str, str, str], list[_FileEvent]] = {}
    for fe in problems:
        e = fe[1]
        seen.setdefault((e.level, e.name, e.hardware_id, e.message), []).append(fe)
    lines: list[Evidence] = []
    for (level, name, hardware, message), group in list(seen.items())[: rules.max_evidence]:
        first, last = group[0][1].t_ns, group[-1][1].t_ns
        where = f" [{hardware}]" if hardware else ""
        when = f"{format_offset(first, origin_ns)}–{format_offset(last, origin_ns)}"
        detail = f"{level} {name}{where}: {message} ({len(group)}×, {when})"
        lines.append(Evidence(group[0][0], first, shorten(detail, rules.max_detail_chars)))
    return tuple(lines)
