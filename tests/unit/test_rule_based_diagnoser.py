"""RuleBasedDiagnoser end to end: injected faults in hand-built summaries → the right diagnosis."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from argus.application.diagnosis import Diagnoser
from argus.domain.analysis import (
    SEVERITIES,
    Anomaly,
    Diagnosis,
    FileResult,
    GatherResult,
    RuleBasedDiagnoser,
    gather,
)
from argus.domain.parsed_file import DiagnosticEvent, Gap, LogEvent, ParsedFile, TopicStats
from argus.infrastructure.templates import Drain3TemplateMiner

pytestmark = pytest.mark.unit

S = 1_000_000_000
T0 = 1_700_000_000 * S
FILE_S = 20
RATES = {
    "/lidar/points": 10.0,
    "/camera/front/image_raw/compressed": 15.0,
    "/imu/data": 100.0,
    "/gnss/fix": 10.0,
    "/vehicle/can": 50.0,
    "/diagnostics": 1.0,
}


def ns(t_s: float) -> int:
    return T0 + round(t_s * S)


@dataclass
class Drive:
    """A three-file drive of 60 s; faults add gaps, logs and diagnostics."""

    gaps: dict[str, tuple[float, float]] = field(default_factory=dict)
    logs: list[LogEvent] = field(default_factory=list)
    diags: list[DiagnosticEvent] = field(default_factory=list)
    failed: set[int] = field(default_factory=set)

    def log(self, t_s: float, node: str, message: str, level: str = "ERROR") -> Drive:
        self.logs.append(LogEvent(ns(t_s), level, node, message, "/rosout"))
        return self

    def diag(self, t_s: float, name: str, level: str, hw: str, message: str) -> Drive:
        self.diags.append(DiagnosticEvent(ns(t_s), name, level, message, hw))
        return self

    def files(self) -> list[FileResult]:
        return [
            FileResult(f"drive_{i}.mcap", None, "invalid magic bytes")
            if i in self.failed
            else FileResult(f"drive_{i}.mcap", self._file(i * FILE_S, (i + 1) * FILE_S - 0.01))
            for i in range(3)
        ]

    def _file(self, start: float, end: float) -> ParsedFile:
        topics = {}
        for name, hz in RATES.items():
            stats = _topic(start, end, hz, self.gaps.get(name))
            if stats is not None:
                topics[name] = stats
        return ParsedFile(
            engine="test",
            start_ns=ns(start),
            end_ns=ns(end),
            message_count=sum(t.count for t in topics.values()),
            topics=topics,
            log_events=[e for e in self.logs if ns(start) <= e.t_ns <= ns(end)],
            diagnostic_events=[e for e in self.diags if ns(start) <= e.t_ns <= ns(end)],
        )


def _topic(
    start: float, end: float, hz: float, gap: tuple[float, float] | None
) -> TopicStats | None:
    """The topic's stats in [start, end], with the part of `gap` inside it cut out."""
    first, last = start, end
    inner: tuple[float, float] | None = None
    if gap is not None:
        if gap[0] <= start and gap[1] >= end:
            return None
        if gap[0] <= start < gap[1]:
            first = gap[1]
        elif gap[0] < end <= gap[1]:
            last = gap[0]
        elif start < gap[0] and gap[1] < end:
            inner = gap
    count = round((last - first) * hz) + 1 - (round((inner[1] - inner[0]) * hz) - 1 if inner else 0)
    worst = inner or (first, first + 1 / hz)
    return TopicStats(
        count=count,
        bytes=100 * count,
        schema="x",
        first_ns=ns(first),
        last_ns=ns(last),
        max_gap=Gap(ns(worst[0]), ns(worst[1])),
    )


def background() -> Drive:
    """Harmless noise every real drive has: a stray error and a CAN warning."""
    drive = Drive().log(5, "localization", "covariance above 2.5, using odometry only")
    return drive.diag(8, "can: bus", "WARN", "can0", "error counter 12")


def lidar_dropout() -> Drive:
    drive = background()
    drive.gaps["/lidar/points"] = (30, 35)
    for t in (32, 34):
        drive.log(t, "lidar_driver", "no packets received from sensor for 2.0 s")
    for t in range(31, 36):
        drive.diag(t, "lidar: front_lidar", "ERROR", "lidar_front", "no data")
    return drive


def camera_dropout() -> Drive:
    drive = background()
    drive.gaps["/camera/front/image_raw/compressed"] = (18, 24)  # across a file boundary
    for t in (19, 21, 23):
        drive.log(t, "camera_driver", f"frame timeout after {t * 100} ms")
    for t in range(19, 24):
        drive.diag(t, "camera: front_camera", "ERROR", "camera_front", "no frames")
    return drive


def error_burst() -> Drive:
    drive = background()
    for i in range(15):
        drive.log(45 + 0.2 * i, "planner", f"failed to compute trajectory: {i % 4} collisions")
    drive.log(48.1, "planner", "planner aborted", level="FATAL")
    return drive


def diag_error() -> Drive:
    drive = background()
    for t in range(10, 60):
        drive.diag(t, "gnss: receiver", "ERROR", "gnss_rx", "no RTK fix")
    return drive


def imu_stale() -> Drive:
    drive = background()
    drive.gaps["/imu/data"] = (40, 44)
    for t in range(41, 45):
        drive.diag(t, "imu: main_imu", "STALE", "imu_main", "no status update")
    return drive


def recorder_stall() -> Drive:
    drive = background()
    drive.gaps.update({name: (30, 34) for name, hz in RATES.items() if hz > 1})
    return drive


def gathered(drive: Drive) -> GatherResult:
    return gather(drive.files(), template_miner=Drain3TemplateMiner())


async def diagnose(result: GatherResult) -> Diagnosis:
    diagnoser: Diagnoser = RuleBasedDiagnoser()
    return await diagnoser.diagnose(
        batch_id="batch-1", vehicle_id="car-7", summary=result.summary, anomalies=result.anomalies
    )


@pytest.mark.parametrize(
    ("scenario", "component", "min_severity", "words"),
    [
        (lidar_dropout, "lidar", "high", ["/lidar/points", "no packets", "front_lidar"]),
        (camera_dropout, "camera", "high", ["/camera/front", "front_camera"]),
        (error_burst, "planner", "high", ["planner logged", "FATAL"]),
        (diag_error, "gnss", "high", ["gnss: receiver", "no RTK fix"]),
        (imu_stale, "imu", "high", ["/imu/data", "STALE"]),
        (recorder_stall, "recorder", "medium", ["5 of 6 periodic topics", "stalled"]),
    ],
)
async def test_each_injected_fault_is_pinned_on_its_component(
    scenario: object, component: str, min_severity: str, words: list[str]
) -> None:
    assert callable(scenario)
    result = gathered(scenario())
    diagnosis = await diagnose(result)
    assert diagnosis.component == component
    assert SEVERITIES.index(diagnosis.severity) >= SEVERITIES.index(min_severity)
    assert all(word in diagnosis.root_cause for word in words), diagnosis.root_cause
    assert diagnosis.engine == "offline-rules"
    assert diagnosis.related_anomalies[0] == 0
    assert {result.anomalies[i].component for i in diagnosis.related_anomalies} == {component}
    assert diagnosis.actions and diagnosis.evidence
    assert 0.3 <= diagnosis.confidence <= 0.95


async def test_a_corroborated_perception_dropout_is_critical() -> None:
    diagnosis = await diagnose(gathered(lidar_dropout()))
    assert diagnosis.severity == "critical"
    assert "00:00:30.0" in diagnosis.root_cause
    assert "power or data link" in diagnosis.root_cause
    assert any("ethernet" in action for action in diagnosis.actions)


async def test_a_clean_batch_is_diagnosed_as_nothing_abnormal() -> None:
    result = gathered(Drive())
    assert result.anomalies == []
    diagnosis = await diagnose(result)
    assert (diagnosis.component, diagnosis.severity) == ("none", "info")
    assert "Nothing abnormal" in diagnosis.root_cause
    assert diagnosis.related_anomalies == ()
    assert "3 files" in diagnosis.evidence[0]


async def test_a_stray_error_alone_is_low_severity() -> None:
    diagnosis = await diagnose(gathered(background()))
    assert (diagnosis.component, diagnosis.severity) == ("localization", "low")


async def test_a_failed_file_alone_points_at_the_recorder() -> None:
    drive = Drive(failed={1})
    diagnosis = await diagnose(gathered(drive))
    assert (diagnosis.component, diagnosis.severity) == ("recorder", "medium")
    assert "drive_1.mcap could not be parsed" in diagnosis.root_cause


async def test_other_components_are_mentioned_in_the_evidence() -> None:
    drive = lidar_dropout()
    drive.failed.add(2)
    diagnosis = await diagnose(gathered(drive))
    assert diagnosis.component == "lidar"
    assert diagnosis.evidence[-1].startswith("other components with anomalies")
    assert "recorder" in diagnosis.evidence[-1]


async def test_ties_go_to_the_component_ranked_first() -> None:
    def anomaly(component: str) -> Anomaly:
        return Anomaly("error_logs", component, 1.0, f"{component}_node logged 1 ERROR", 0, 0, ())

    empty = gather([], template_miner=Drain3TemplateMiner()).summary
    result = GatherResult(summary=empty, anomalies=[anomaly("planner"), anomaly("control")])
    diagnosis = await diagnose(result)
    assert (diagnosis.component, diagnosis.related_anomalies) == ("planner", (0,))


async def test_the_same_batch_gets_the_same_diagnosis() -> None:
    first = await diagnose(gathered(camera_dropout()))
    assert await diagnose(gathered(camera_dropout())) == first
