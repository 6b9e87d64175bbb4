"""Log levels, log templates, error bursts and the remaining ERROR/FATAL logs per node.

Parser summaries keep only ERROR and FATAL log events (plus per-level counts), so templates
and bursts are about those. A burst is a run of one node's events in which every event belongs
to some `burst_window_s` window holding at least `burst_min_events` events; errors of that
node outside any burst are reported together, with a lower weight.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from argus.domain.analysis.anomaly import Evidence, component_of
from argus.domain.analysis.findings import Finding
from argus.domain.analysis.rules import NS_PER_S, GatherRules
from argus.domain.analysis.summary_parts import LogTemplate
from argus.domain.analysis.templates import TemplateMiner
from argus.domain.analysis.text import plural, shorten
from argus.domain.parsed_file import LOG_LEVELS, LogEvent, ParsedFile

__all__ = ["analyse_logs", "log_level_counts"]

BURST_BASE, BURST_FATAL_BASE = 2.5, 4.0
ERRORS_BASE, ERRORS_FATAL_BASE = 1.0, 3.0
_SEVERITY = {level: rank for rank, level in enumerate(LOG_LEVELS)}


@dataclass(frozen=True, slots=True)
class _Event:
    file: str
    event: LogEvent
    template_id: str


@dataclass(slots=True)
class _TemplateStats:
    count: int = 0
    levels: Counter[str] = field(default_factory=Counter)
    nodes: Counter[str] = field(default_factory=Counter)
    example: str = ""
    first_ns: int = 0


def log_level_counts(parsed: Sequence[ParsedFile]) -> dict[str, int]:
    """Messages per log level over the batch, standard levels first."""
    totals: Counter[str] = Counter()
    for p in parsed:
        totals.update(p.log_levels)
    ordered = list(LOG_LEVELS) + sorted(set(totals) - set(LOG_LEVELS))
    return {level: totals.get(level, 0) for level in ordered}


def analyse_logs(
    files: Sequence[tuple[str, ParsedFile]], *, miner: TemplateMiner, rules: GatherRules
) -> tuple[list[LogTemplate], list[Finding]]:
    """Top templates (most frequent first) and the burst / error-log findings per node."""
    raw = sorted(
        ((name, e) for name, p in files for e in p.log_events),
        key=lambda fe: (fe[1].t_ns, fe[1].node, fe[1].message, fe[0]),
    )
    # Mining in time order makes template ids and texts the same on every run.
    events = [_Event(name, e, miner.add(e.message)) for name, e in raw]
    texts = {t.template_id: t.template for t in miner.templates()}
    templates = _template_summary(events, texts, rules)
    findings: list[Finding] = []
    by_node: dict[str, list[_Event]] = {}
    for ev in events:
        by_node.setdefault(ev.event.node, []).append(ev)
    for node in sorted(by_node):
        findings.extend(_node_findings(node, by_node[node], rules))
    return templates, findings


def _template_summary(
    events: Sequence[_Event], texts: dict[str, str], rules: GatherRules
) -> list[LogTemplate]:
    stats: dict[str, _TemplateStats] = {}
    for ev in events:
        s = stats.setdefault(ev.template_id, _TemplateStats(example=ev.event.message))
        if s.count == 0:
            s.first_ns = ev.event.t_ns
        s.count += 1
        s.levels[ev.event.level] += 1
        s.nodes[ev.event.node] += 1
    ranked = sorted(stats.items(), key=lambda item: (-item[1].count, item[1].first_ns, item[0]))
    return [
        LogTemplate(
            template=texts.get(tid, tid),
            count=s.count,
            level=max(s.levels, key=_level_rank),
            node=_most_common(s.nodes),
            example=shorten(s.example, rules.max_detail_chars),
            first_ns=s.first_ns,
        )
        for tid, s in ranked[: rules.max_templates]
    ]


def _level_rank(level: str) -> tuple[int, str]:
    return _SEVERITY.get(level, -1), level


def _most_common(counter: Counter[str]) -> str:
    return min(counter, key=lambda key: (-counter[key], key))


def _burst_runs(events: Sequence[_Event], rules: GatherRules) -> list[tuple[list[_Event], int]]:
    """Maximal runs of windowed-dense events, each with its densest window's event count.

    Linear: a node can log thousands of errors a second, so no event is visited twice.
    """
    window_ns = int(rules.burst_window_s * NS_PER_S)
    in_burst = [False] * len(events)
    size = [0] * len(events)  # events in the window that ends at each event
    left = marked = 0
    for right, ev in enumerate(events):
        while ev.event.t_ns - events[left].event.t_ns > window_ns:
            left += 1
        size[right] = right - left + 1
        if size[right] >= rules.burst_min_events:
            for i in range(max(left, marked), right + 1):
                in_burst[i] = True
            marked = right + 1
    runs: list[tuple[list[_Event], int]] = []
    for i, ev in enumerate(events):
        if not in_burst[i]:
            continue
        if runs and in_burst[i - 1] and ev.event.t_ns - runs[-1][0][-1].event.t_ns <= window_ns:
            runs[-1][0].append(ev)
            runs[-1] = (runs[-1][0], max(runs[-1][1], size[i]))
        else:
            runs.append(([ev], size[i]))
    return runs


def _node_findings(node: str, events: Sequence[_Event], rules: GatherRules) -> list[Finding]:
    runs = _burst_runs(events, rules)
    findings = [_finding(node, run, rules, peak=peak) for run, peak in runs]
    bursting = {id(ev) for run, _ in runs for ev in run}
    rest = [ev for ev in events if id(ev) not in bursting]
    if rest:
        findings.append(_finding(node, rest, rules, peak=None))
    return findings


def _finding(
    node: str,
    events: Sequence[_Event],
    rules: GatherRules,
    *,
    peak: int | None,
) -> Finding:
    """An `error_burst` (with the densest window's size) or an `error_logs` finding."""
    levels = Counter(ev.event.level for ev in events)
    fatal = levels.get("FATAL", 0) > 0
    counted = " + ".join(f"{levels[lv]} {lv}" for lv in sorted(levels, key=_level_rank))
    by_template = Counter(ev.template_id for ev in events)
    top = min(by_template, key=lambda t: (-by_template[t], t))
    example = next(ev.event.message for ev in events if ev.template_id == top)
    quote = shorten(example, 80)
    start, end = events[0].event.t_ns, events[-1].event.t_ns
    if peak is None:
        title = f"{node} logged {counted} {'message' if len(events) == 1 else 'messages'}"
        kind, base, ratio = "error_logs", (ERRORS_FATAL_BASE if fatal else ERRORS_BASE), 1.0
    else:
        title = f"{node} logged {counted} messages in {(end - start) / NS_PER_S:.1f} s"
        kind = "error_burst"
        base, ratio = (BURST_FATAL_BASE if fatal else BURST_BASE), peak / rules.burst_min_events
    return Finding(
        kind=kind,
        component=component_of(node),
        title=f"{title}: '{quote}'",
        start_ns=start,
        end_ns=end,
        evidence=_template_evidence(events, by_template, rules),
        base=base,
        ratio=ratio,
        count=len(events),
    )


def _template_evidence(
    events: Sequence[_Event], by_template: Counter[str], rules: GatherRules
) -> tuple[Evidence, ...]:
    """One line per most frequent template: first file/time, level, count and an example.

    The example, not the masked template, goes into evidence: it is what an engineer greps for.
    """
    lines: list[Evidence] = []
    for tid in sorted(by_template, key=lambda t: (-by_template[t], t))[: rules.max_evidence]:
        first = next(ev for ev in events if ev.template_id == tid)
        n = plural(by_template[tid], "time")
        detail = f"{first.event.level} {first.event.node}, {n}: {first.event.message}"
        detail = shorten(detail, rules.max_detail_chars)
        lines.append(Evidence(first.file, first.event.t_ns, detail))
    return tuple(lines)
