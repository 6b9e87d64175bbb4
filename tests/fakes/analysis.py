"""A small batch of parser summaries that fills every part of a `BatchSummary`."""

from __future__ import annotations

from argus.domain.analysis import FileResult
from argus.domain.parsed_file import (
    DiagnosticEvent,
    Gap,
    LogEvent,
    ParsedFile,
    ParseError,
    TopicStats,
)

S = 1_000_000_000
T0 = 1_700_000_000 * S


def _topic(first_s: int, last_s: int, hz: int, gap: tuple[int, int] | None = None) -> TopicStats:
    count = (last_s - first_s) * hz + 1 - (0 if gap is None else (gap[1] - gap[0]) * hz - 1)
    start, end = gap if gap is not None else (first_s, first_s)
    return TopicStats(
        count=count,
        bytes=count * 100,
        schema="sensor_msgs/msg/PointCloud2",
        first_ns=T0 + first_s * S,
        last_ns=T0 + last_s * S,
        max_gap=Gap(T0 + start * S, T0 + end * S + (0 if gap else S // hz)),
    )


def sample_files() -> list[FileResult]:
    """A lidar dropout with matching diagnostics and an error burst, a partly read file and a
    failed one: topics, templates, diagnostics, both shapes of parse errors and scoring."""
    logs = [
        LogEvent(T0 + (30 + i) * S, "ERROR", "lidar_driver", f"no packets for {i}.5 s", "/rosout")
        for i in range(6)
    ]
    diags = [
        DiagnosticEvent(T0 + (31 + i) * S, "lidar: front", "ERROR", "link down", "lidar_front")
        for i in range(3)
    ]
    first = ParsedFile(
        engine="test",
        start_ns=T0,
        end_ns=T0 + 60 * S,
        message_count=1_000,
        topics={
            "/lidar/points": _topic(0, 60, 10, gap=(30, 36)),
            "/imu/data": _topic(0, 60, 100),
        },
        log_events=logs,
        diagnostic_events=diags,
        log_levels={"INFO": 12, "ERROR": 6},
    )
    partial = ParsedFile(
        engine="test",
        complete=False,
        start_ns=T0 + 60 * S,
        end_ns=T0 + 70 * S,
        message_count=100,
        topics={"/imu/data": _topic(60, 70, 100)},
        errors=[ParseError("truncated", "chunk ends early", 4096)],
    )
    return [
        FileResult("drive_0.mcap", first),
        FileResult("drive_1.mcap", partial),
        FileResult("drive_2.mcap", None, "invalid magic bytes"),
    ]
