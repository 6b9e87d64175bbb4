"""The report value objects: JSON round trips, validation and component names."""

from __future__ import annotations

import json

import pytest

from argus.domain.errors import InvalidInput
from argus.domain.report import (
    Anomaly,
    Diagnosis,
    Evidence,
    component_of,
    format_offset,
)

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
