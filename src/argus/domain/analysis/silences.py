"""Silences of a topic, and silences that many topics share (the recorder, not a sensor).

A parser summary carries, per topic and file, only count, bytes, first/last time and the
*largest* gap. So a topic's silences are: the largest gap inside each file, the stretch between
its last message in one file and its first in the next file that has it, and the stretch from its
last message to the end of the batch. Smaller gaps inside a file are invisible here; a file with
two dropouts reports the longer one (the shorter still lowers that file's rate).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from argus.domain.analysis.anomaly import Evidence, format_offset
from argus.domain.analysis.files import RECORDER
from argus.domain.analysis.findings import Finding
from argus.domain.analysis.rules import NS_PER_S, GatherRules
from argus.domain.analysis.text import shorten
from argus.domain.analysis.timeline import unobserved_ns
from argus.domain.parsed_file import TopicStats

__all__ = ["RECORDING_GAP_BASE", "Silence", "find_silences", "split_shared"]

RECORDING_GAP_BASE = 2.5


@dataclass(frozen=True, slots=True)
class Silence:
    """A stretch without messages; `observed_ns` leaves out time no parsed file covers."""

    start_ns: int
    end_ns: int
    observed_ns: int
    file: str
    next_file: str | None
    where: str  # "within", "between" or "trailing"


def find_silences(
    entries: Sequence[tuple[str, TopicStats]], holes: Sequence[tuple[int, int]], batch_end: int
) -> list[Silence]:
    """Every silence the summaries can show: per-file largest gaps, between files, at the end."""
    found: list[tuple[int, int, str, str | None, str]] = []
    for file_name, stats in entries:
        if stats.max_gap is not None:
            found.append((stats.max_gap.start_ns, stats.max_gap.end_ns, file_name, None, "within"))
    for (prev_file, prev), (next_file, nxt) in pairwise(entries):
        found.append((prev.last_ns or 0, nxt.first_ns or 0, prev_file, next_file, "between"))
    last_file, last = entries[-1]
    if batch_end > (last.last_ns or 0):
        found.append((last.last_ns or 0, batch_end, last_file, None, "trailing"))
    return [
        Silence(start, end, max(0, end - start - unobserved_ns(start, end, holes)), f, n, where)
        for start, end, f, n, where in found
        if end > start
    ]


def split_shared(
    gaps: dict[str, list[Silence]],
    *,
    watched: int,
    rules: GatherRules,
    origin_ns: int | None,
) -> tuple[dict[str, list[Silence]], list[Finding]]:
    """Pull out silences that most watched topics share: those are recording gaps.

    When `shared_silence_fraction` of the watched topics (and at least
    `shared_silence_min_topics`) fall silent and resume together, the recorder or the computer
    stalled; blaming each sensor would send engineers to check every cable.
    """
    needed = max(
        rules.shared_silence_min_topics, math.ceil(rules.shared_silence_fraction * watched)
    )
    flat = sorted(
        ((s, topic) for topic, silences in gaps.items() for s in silences),
        key=lambda st: (st[0].start_ns, st[1]),
    )
    shared: set[tuple[str, int]] = set()
    findings: list[Finding] = []
    for group in _aligned_groups(flat, rules):
        topics = sorted({topic for _, topic in group})
        if len(topics) >= needed:
            shared.update((topic, s.start_ns) for s, topic in group)
            findings.append(_recording_gap(group, topics, watched, rules, origin_ns))
    kept = {
        topic: rest
        for topic, silences in gaps.items()
        if (rest := [s for s in silences if (topic, s.start_ns) not in shared])
    }
    return kept, findings


def _aligned_groups(
    flat: Sequence[tuple[Silence, str]], rules: GatherRules
) -> list[list[tuple[Silence, str]]]:
    """Silences that start and end together (within a tolerance) as the earliest one of them.

    A stall stops every topic at once and resumes them at once; requiring both ends to align
    keeps a sensor that died for good from being mistaken for part of a short stall.
    """
    grouped = [False] * len(flat)
    groups: list[list[tuple[Silence, str]]] = []
    for i, (anchor, topic) in enumerate(flat):
        if grouped[i]:
            continue
        duration = anchor.end_ns - anchor.start_ns
        tolerance = max(rules.shared_silence_tolerance_s * NS_PER_S, 0.2 * duration)
        group = [(anchor, topic)]
        for j in range(i + 1, len(flat)):
            other = flat[j][0]
            if other.start_ns - anchor.start_ns > tolerance:
                break
            if not grouped[j] and abs(other.end_ns - anchor.end_ns) <= tolerance:
                grouped[j] = True
                group.append(flat[j])
        groups.append(group)
    return groups


def _recording_gap(
    group: Sequence[tuple[Silence, str]],
    topics: Sequence[str],
    watched: int,
    rules: GatherRules,
    origin_ns: int | None,
) -> Finding:
    start = max(s.start_ns for s, _ in group)
    end = min(s.end_ns for s, _ in group)
    common_s = (end - start) / NS_PER_S
    when = f"{format_offset(start, origin_ns)}–{format_offset(end, origin_ns)}"
    files = sorted({s.file for s, _ in group})
    detail = f"silent together {when} in {', '.join(files)}: {', '.join(topics)}"
    return Finding(
        kind="recording_gap",
        component=RECORDER,
        title=f"{len(topics)} of {watched} periodic topics went silent together "
        f"for {common_s:.1f} s",
        start_ns=start,
        end_ns=end,
        evidence=(Evidence(files[0], start, shorten(detail, rules.max_detail_chars)),),
        base=RECORDING_GAP_BASE,
        ratio=common_s / rules.dropout_floor_s,
        count=len(topics),
    )
