"""File order and coverage of a batch: which time ranges the parsed files actually observed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from argus.domain.analysis.findings import FileResult
from argus.domain.analysis.rules import NS_PER_S
from argus.domain.analysis.summary import Timeline, UncoveredRange
from argus.domain.parsed_file import ParsedFile

__all__ = [
    "TimedFile",
    "coverage_holes",
    "natural_key",
    "timed_files",
    "timeline_summary",
    "unobserved_ns",
]

TimedFile = tuple[str, ParsedFile]
_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, str], ...]:
    """Sort key that puts `drive_2.mcap` before `drive_10.mcap`, as split recorders name them."""
    return tuple(
        (int(part), "") if part.isdigit() else (-1, part) for part in _DIGITS.split(name) if part
    )


def timed_files(files: Sequence[FileResult]) -> list[TimedFile]:
    """Parsed files that hold at least one message, in time order."""
    timed = [
        (f.file_name, f.parsed)
        for f in files
        if f.parsed is not None and f.parsed.start_ns is not None and f.parsed.end_ns is not None
    ]
    return sorted(timed, key=lambda tf: (tf[1].start_ns or 0, natural_key(tf[0])))


def coverage_holes(timed: Sequence[TimedFile]) -> list[tuple[int, int]]:
    """Time ranges inside the batch that no parsed file covers (failed files, stops, pauses)."""
    holes: list[tuple[int, int]] = []
    covered_until: int | None = None
    for _, parsed in timed:
        start, end = parsed.start_ns or 0, parsed.end_ns or 0
        if covered_until is not None and start > covered_until:
            holes.append((covered_until, start))
        covered_until = end if covered_until is None else max(covered_until, end)
    return holes


def unobserved_ns(start_ns: int, end_ns: int, holes: Sequence[tuple[int, int]]) -> int:
    """How much of `[start_ns, end_ns]` falls into coverage holes."""
    return sum(max(0, min(end_ns, h_end) - max(start_ns, h_start)) for h_start, h_end in holes)


def timeline_summary(
    timed: Sequence[TimedFile], holes: Sequence[tuple[int, int]], *, min_hole_s: float
) -> Timeline:
    """Batch start, end and duration, and the uncovered ranges longer than `min_hole_s`."""
    if not timed:
        return Timeline(start_ns=None, end_ns=None, duration_s=0.0, uncovered=())
    start = min(p.start_ns or 0 for _, p in timed)
    end = max(p.end_ns or 0 for _, p in timed)
    uncovered = tuple(
        UncoveredRange(h_start, h_end, round((h_end - h_start) / NS_PER_S, 3))
        for h_start, h_end in holes
        if h_end - h_start > min_hole_s * NS_PER_S
    )
    return Timeline(
        start_ns=start,
        end_ns=end,
        duration_s=round((end - start) / NS_PER_S, 3),
        uncovered=uncovered,
    )
