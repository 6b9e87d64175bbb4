"""The drive-log generator's faults: the catalogue, what the parser sees of each, their syntax."""

from __future__ import annotations

import pytest

from argus.domain.parsed_file import ParsedFile
from argus.loggen import DEFAULT_START_NS, FAULTS, Fault, generate_drive_log
from argus.loggen.faults import parse_fault
from tests.unit.loggen_support import PARSER, S

pytestmark = pytest.mark.unit

FAULT_START_S, FAULT_DURATION_S = 6.0, 4.0
FAULT_CASES = [
    # fault, topic that goes silent, (diagnostic name, level, hardware id), (node, levels)
    (
        "lidar-dropout",
        "/lidar/points",
        ("lidar: front_lidar", "ERROR", "lidar_front"),
        ("lidar_driver", {"ERROR"}),
    ),
    (
        "camera-dropout",
        "/camera/front/image_raw/compressed",
        ("camera: front_camera", "ERROR", "camera_front"),
        ("camera_driver", {"ERROR"}),
    ),
    (
        "error-burst",
        None,
        ("planner: trajectory_planner", "WARN", ""),
        ("planner", {"ERROR", "FATAL"}),
    ),
    ("diag-error", None, ("gnss: gnss_receiver", "ERROR", "gnss0"), None),
    ("imu-stale", "/imu/data", ("imu: imu_main", "STALE", "imu0"), None),
]


def test_the_catalogue_names_a_component_for_every_fault() -> None:
    assert {name: spec.component for name, spec in FAULTS.items()} == {
        "lidar-dropout": "lidar",
        "camera-dropout": "camera",
        "error-burst": "planner",
        "diag-error": "gnss",
        "imu-stale": "imu",
    }
    assert [case[0] for case in FAULT_CASES] == list(FAULTS)


@pytest.fixture(scope="module")
def faulted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ParsedFile]:
    out = tmp_path_factory.mktemp("faults")
    fault_window = {"start_s": FAULT_START_S, "duration_s": FAULT_DURATION_S}
    return {
        name: PARSER.parse(
            generate_drive_log(
                out / f"{name}.mcap",
                seed=9,
                target_bytes=1_200_000,
                faults=[Fault(name, **fault_window)],
            )
        )
        for name in FAULTS
    }


@pytest.mark.parametrize(("name", "topic", "diagnostic", "logs"), FAULT_CASES)
def test_faults_show_in_the_parsed_summary(
    faulted: dict[str, ParsedFile],
    name: str,
    topic: str | None,
    diagnostic: tuple[str, str, str],
    logs: tuple[str, set[str]] | None,
) -> None:
    parsed = faulted[name]
    assert parsed.start_ns is not None
    fault_start = DEFAULT_START_NS + round(FAULT_START_S * S)
    fault_end = fault_start + round(FAULT_DURATION_S * S)
    if topic is not None:
        gap = parsed.topics[topic].max_gap
        assert gap is not None
        assert gap.start_ns < fault_start and gap.end_ns >= fault_end
        assert gap.duration_ns < FAULT_DURATION_S * S + 0.25 * S
    diag_name, diag_level, hardware_id = diagnostic
    matching = [d for d in parsed.diagnostic_events if d.name == diag_name]
    assert len(matching) >= FAULT_DURATION_S - 1
    assert {(d.level, d.hardware_id) for d in matching} == {(diag_level, hardware_id)}
    assert all(fault_start <= d.t_ns < fault_end for d in parsed.diagnostic_events)
    if logs is None:
        assert parsed.log_events == []
    else:
        node, levels = logs
        assert parsed.log_events and {e.node for e in parsed.log_events} == {node}
        assert {e.level for e in parsed.log_events} == levels
        assert all(fault_start <= e.t_ns < fault_end for e in parsed.log_events)


def test_lidar_dropout_logs_say_how_long_the_sensor_has_been_silent(
    faulted: dict[str, ParsedFile],
) -> None:
    messages = [e.message for e in faulted["lidar-dropout"].log_events]
    assert "no packets received from sensor for 2.0 s" in messages
    assert all(e.topic == "/rosout" for e in faulted["lidar-dropout"].log_events)


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("lidar-dropout", Fault("lidar-dropout")),
        ("imu-stale@12", Fault("imu-stale", 12.0)),
        ("error-burst@30+2.5", Fault("error-burst", 30.0, 2.5)),
        (" diag-error@0.5+10 ", Fault("diag-error", 0.5, 10.0)),
    ],
)
def test_parse_fault(text: str, fault: Fault) -> None:
    assert parse_fault(text) == fault


@pytest.mark.parametrize(
    "text", ["", "lidar", "lidar-dropout@", "lidar-dropout@x+1", "lidar-dropout+3", "LIDAR-DROPOUT"]
)
def test_parse_fault_rejects_bad_text(text: str) -> None:
    with pytest.raises(ValueError):
        parse_fault(text)
