"""Builders for the gather tests: parsed files, topics, logs and diagnostics on a batch clock."""

from __future__ import annotations

from collections.abc import Sequence

from argus.domain.analysis import FileResult, GatherResult, gather
from argus.domain.parsed_file import (
    DiagnosticEvent,
    Gap,
    LogEvent,
    ParsedFile,
    ParseError,
    TopicStats,
)
from argus.infrastructure.templates import Drain3TemplateMiner

S = 1_000_000_000
T0 = 1_700_000_000 * S
RATES = {"/lidar/points": 10.0, "/imu/data": 100.0, "/gnss/fix": 10.0, "/diagnostics": 1.0}


def ns(t_s: float) -> int:
    """Batch-relative seconds as absolute nanoseconds."""
    return T0 + round(t_s * S)


def topic(
    first_s: float,
    last_s: float,
    hz: float,
    *,
    gap: tuple[float, float] | None = None,
    jitter: float = 1.0,
    schema: str = "sensor_msgs/msg/PointCloud2",
) -> TopicStats:
    """A topic at `hz`; its largest gap is `gap`, or `jitter` × the period."""
    count = round((last_s - first_s) * hz) + 1
    if gap is None:
        max_gap = Gap(ns(first_s), ns(first_s + jitter / hz))
    else:
        count -= round((gap[1] - gap[0]) * hz) - 1
        max_gap = Gap(ns(gap[0]), ns(gap[1]))
    return TopicStats(
        count=count,
        bytes=count * 100,
        schema=schema,
        first_ns=ns(first_s),
        last_ns=ns(last_s),
        max_gap=max_gap,
    )


def parsed(
    start_s: float,
    end_s: float,
    topics: dict[str, TopicStats] | None = None,
    *,
    logs: Sequence[LogEvent] = (),
    diags: Sequence[DiagnosticEvent] = (),
    errors: Sequence[ParseError] = (),
    complete: bool = True,
) -> ParsedFile:
    """A file from `start_s` to `end_s`; by default every topic of RATES publishes normally."""
    if topics is None:
        topics = {name: topic(start_s, end_s, hz) for name, hz in RATES.items()}
    return ParsedFile(
        engine="test",
        complete=complete,
        start_ns=ns(start_s),
        end_ns=ns(end_s),
        message_count=sum(t.count for t in topics.values()),
        topics=topics,
        log_events=list(logs),
        diagnostic_events=list(diags),
        errors=list(errors),
    )


def normal(start_s: float, end_s: float, **changed: TopicStats) -> dict[str, TopicStats]:
    """Every topic of RATES publishing normally, except those given."""
    topics = {name: topic(start_s, end_s, hz) for name, hz in RATES.items()}
    topics.update({"/" + name.replace("__", "/"): stats for name, stats in changed.items()})
    return topics


def log(
    t_s: float, node: str = "planner", message: str = "plan failed", level: str = "ERROR"
) -> LogEvent:
    return LogEvent(t_ns=ns(t_s), level=level, node=node, message=message, topic="/rosout")


def diag(
    t_s: float, name: str, level: str = "ERROR", hw: str = "", msg: str = "fault"
) -> DiagnosticEvent:
    return DiagnosticEvent(t_ns=ns(t_s), name=name, level=level, message=msg, hardware_id=hw)


def run(*files: FileResult, top_k: int = 10) -> GatherResult:
    return gather(files, template_miner=Drain3TemplateMiner(), top_k=top_k)


def batch(*files: ParsedFile | None) -> list[FileResult]:
    return [
        FileResult(f"drive_{i}.mcap", p, None if p is not None else "bad magic")
        for i, p in enumerate(files)
    ]


def kinds(result: GatherResult) -> list[tuple[str, str]]:
    return [(a.kind, a.component) for a in result.anomalies]
