"""The analysis value objects: JSON round trips, validation, ids and component names."""

from __future__ import annotations

import json

import pytest

from argus.domain.analysis import (
    Anomaly,
    BatchSummary,
    Diagnosis,
    Evidence,
    FileErrors,
    FileResult,
    TimeWindow,
    format_offset,
    gather,
)
from argus.domain.component import component_of
from argus.domain.errors import InvalidInput
from tests.fakes.analysis import sample_files
from tests.fakes.templates import FakeTemplateMiner

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "component"),
    [
        ("/lidar/points", "lidar"),
        ("lidar_driver", "lidar"),
        ("lidar: front_lidar", "lidar"),
        ("lidar_front", "lidar"),
        ("/camera/front/image_raw/compressed", "camera"),
        ("camera_driver", "camera"),
        ("/imu/data", "imu"),
        ("imu_driver", "imu"),
        ("/gnss/fix", "gnss"),
        ("gnss: receiver", "gnss"),
        ("/gps/fix", "gnss"),
        ("/vehicle/can", "can"),
        ("can_bridge", "can"),
        ("localization", "localization"),
        ("planner", "planner"),
        ("control", "control"),
        ("/velodyne_points", "lidar"),
        ("cam0", "camera"),
        ("/sensing/radar/front/objects", "radar"),
        # Names outside the vocabulary: the first segment, without role and position words.
        ("/wheel_odom/twist", "wheel_odom"),
        ("wheel_odom_node", "wheel_odom"),
        ("wheel_odom: left", "wheel_odom"),
        ("/rosout", "rosout"),
        ("/diagnostics", "diagnostics"),
        ("  Battery-Monitor  ", "battery_monitor"),
        ("/front/driver", "front_driver"),
        ("", "unknown"),
        ("///", "unknown"),
    ],
)
def test_component_of_normalises_topics_nodes_and_statuses(name: str, component: str) -> None:
    assert component_of(name) == component


def _anomaly(**overrides: object) -> Anomaly:
    fields: dict[str, object] = {
        "kind": "sensor_dropout",
        "component": "lidar",
        "score": 12.5,
        "title": "/lidar/points stopped publishing for 5.0 s",
        "start_ns": 1_000,
        "end_ns": 5_000_001_000,
        "evidence": (Evidence(file="a.mcap", t_ns=1_000, detail="no message"),),
    }
    fields.update(overrides)
    return Anomaly(**fields)  # type: ignore[arg-type]


def _diagnosis(**overrides: object) -> Diagnosis:
    fields: dict[str, object] = {
        "component": "lidar",
        "root_cause": "lidar link loss",
        "severity": "high",
        "confidence": 0.8,
        "evidence": ("dropout",),
        "actions": ("check cable",),
        "engine": "offline-rules",
        "related_anomalies": (0, 2),
    }
    fields.update(overrides)
    return Diagnosis(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        Evidence(file="a.mcap", t_ns=None, detail="bad magic"),
        _anomaly(),
        _anomaly(kind="parse_failure", start_ns=None, end_ns=None, evidence=()),
        _diagnosis(),
        _diagnosis(component="none", severity="info", related_anomalies=()),
    ],
)
def test_report_values_round_trip_through_json(value: Evidence | Anomaly | Diagnosis) -> None:
    wire = json.loads(json.dumps(value.to_dict()))
    assert type(value).from_dict(wire) == value


def test_anomaly_rejects_an_unknown_kind() -> None:
    with pytest.raises(InvalidInput, match="kind"):
        _anomaly(kind="gremlins")


def test_anomaly_rejects_a_negative_score() -> None:
    with pytest.raises(InvalidInput, match="score"):
        _anomaly(score=-1.0)


@pytest.mark.parametrize(
    "overrides",
    [{"severity": "catastrophic"}, {"confidence": 1.5}, {"related_anomalies": (-1,)}],
)
def test_diagnosis_rejects_invalid_values(overrides: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        _diagnosis(**overrides)


@pytest.mark.parametrize(
    ("t_ns", "origin_ns", "text"),
    [
        (30_000_000_000, 0, "00:00:30.0"),
        (3_723_450_000_000, 0, "01:02:03.4"),
        (5, 10, "00:00:00.0"),
        (2_500_000_000, None, "t=2.5s"),
    ],
)
def test_format_offset_is_relative_to_the_batch_start(
    t_ns: int, origin_ns: int | None, text: str
) -> None:
    assert format_offset(t_ns, origin_ns) == text


# --- the typed batch summary ----------------------------------------------------------------


def _summary_of(files: list[FileResult]) -> BatchSummary:
    return gather(files, template_miner=FakeTemplateMiner()).summary


@pytest.mark.parametrize("files", [sample_files(), []], ids=["every-part", "empty"])
def test_batch_summary_round_trips_through_json(files: list[FileResult]) -> None:
    summary = _summary_of(files)
    wire = json.loads(json.dumps(summary.to_dict()))
    again = BatchSummary.from_dict(wire)
    assert again == summary
    assert again.to_dict() == wire


def test_sample_summary_fills_every_part() -> None:
    summary = _summary_of(sample_files())
    lidar = summary.topics["/lidar/points"]
    assert lidar.largest_gap is not None and lidar.largest_gap.file == "drive_0.mcap"
    assert summary.log_templates and summary.diagnostics["lidar"].count == 3
    assert summary.parse_errors["drive_2.mcap"] == FileErrors(
        failed=True, reason="invalid magic bytes", errors=()
    )
    assert summary.parse_errors["drive_1.mcap"].complete is False
    assert summary.scoring and summary.timeline.uncovered == ()


def test_parse_errors_keep_their_two_json_shapes() -> None:
    errors = _summary_of(sample_files()).to_dict()["parse_errors"]
    assert list(errors["drive_2.mcap"]) == ["failed", "reason", "errors"]
    assert list(errors["drive_1.mcap"]) == ["failed", "reason", "complete", "error_count", "errors"]


def test_an_unknown_summary_version_is_rejected() -> None:
    wire = _summary_of([]).to_dict()
    wire["summary_version"] = 2
    with pytest.raises(InvalidInput, match="summary_version"):
        BatchSummary.from_dict(wire)


def test_anomaly_ids_are_stable_and_distinct() -> None:
    first = gather(sample_files(), template_miner=FakeTemplateMiner()).anomalies
    again = gather(sample_files(), template_miner=FakeTemplateMiner()).anomalies
    ids = [a.anomaly_id for a in first]
    assert ids == [a.anomaly_id for a in again]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith(f"{a.kind}-") for i, a in zip(ids, first, strict=True))
    assert ids == [Anomaly.from_dict(a.to_dict()).anomaly_id for a in first]


def test_an_anomaly_window_is_its_time_span() -> None:
    assert _anomaly().window == TimeWindow(1_000, 5_000_001_000)
    window = _anomaly().window
    assert window is not None and window.duration_s == 5.0
    assert _anomaly(kind="parse_failure", start_ns=None, end_ns=None).window is None
    assert _anomaly(end_ns=None).window == TimeWindow(1_000, 1_000)
