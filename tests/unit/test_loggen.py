"""The drive-log generator: determinism, sizes, topics, batches, and faults the parser can see."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any

import pytest
import typer
from mcap.reader import make_reader
from typer.testing import CliRunner

from argus.cli import gen_logs_cmd
from argus.cli.gen_logs_cmd import parse_size
from argus.domain.parsed_file import ParsedFile
from argus.infrastructure.parsing import PythonMcapParser
from argus.loggen import DEFAULT_START_NS, FAULTS, Fault, generate_batch, generate_drive_log
from argus.loggen.faults import parse_fault

pytestmark = pytest.mark.unit

S = 1_000_000_000
PARSER = PythonMcapParser()
TOPICS = {
    # topic: (schema, rate in Hz)
    "/lidar/points": ("sensor_msgs/msg/PointCloud2", 10.0),
    "/camera/front/image_raw/compressed": ("sensor_msgs/msg/CompressedImage", 15.0),
    "/imu/data": ("sensor_msgs/msg/Imu", 100.0),
    "/gnss/fix": ("sensor_msgs/msg/NavSatFix", 10.0),
    "/vehicle/can": ("can_msgs/msg/Frame", 100.0),
    "/diagnostics": ("diagnostic_msgs/msg/DiagnosticArray", 1.0),
    "/rosout": ("rcl_interfaces/msg/Log", None),
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("compression", ["zstd", "lz4", "none"])
def test_same_arguments_give_byte_identical_files(tmp_path: Path, compression: str) -> None:
    kwargs: dict[str, Any] = dict(
        seed=42,
        target_bytes=1_200_000,
        compression=compression,
        faults=[Fault("lidar-dropout", 5.0, 2.0), Fault("error-burst")],
    )
    first = generate_drive_log(tmp_path / "a.mcap", **kwargs)
    second = generate_drive_log(tmp_path / "b.mcap", **kwargs)
    assert digest(first) == digest(second)


@pytest.mark.parametrize(
    "change",
    [
        {"seed": 43},
        {"start_ns": DEFAULT_START_NS + S},
        {"faults": [Fault("imu-stale")]},
        {"target_bytes": 1_300_000},
        {"compression": "lz4"},
    ],
)
def test_any_argument_changes_the_bytes(tmp_path: Path, change: dict[str, Any]) -> None:
    base: dict[str, Any] = {"seed": 42, "target_bytes": 1_200_000}
    reference = generate_drive_log(tmp_path / "a.mcap", **base)
    changed = generate_drive_log(tmp_path / "b.mcap", **{**base, **change})
    assert digest(reference) != digest(changed)


@pytest.mark.parametrize("compression", ["zstd", "lz4", "none"])
@pytest.mark.parametrize("target", [1_500_000, 4_000_000, 12_000_000])
def test_file_size_lands_near_the_target(tmp_path: Path, compression: str, target: int) -> None:
    path = generate_drive_log(
        tmp_path / "a.mcap", seed=1, target_bytes=target, compression=compression
    )
    assert 0.8 * target <= path.stat().st_size <= 1.2 * target


def test_a_duration_gives_full_resolution_payloads_for_that_long(tmp_path: Path) -> None:
    path = generate_drive_log(tmp_path / "a.mcap", seed=1, duration_s=3.0)
    parsed = PARSER.parse(path)
    assert parsed.start_ns is not None and parsed.end_ns is not None
    assert 2.8 * S <= parsed.end_ns - parsed.start_ns <= 3.0 * S
    lidar = parsed.topics["/lidar/points"]
    assert lidar.bytes / lidar.count > 1_500_000  # a 32 x ~1800 cloud of 32-byte points


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "duration_s or target_bytes"),
        ({"target_bytes": 0}, "positive"),
        ({"duration_s": -1.0}, "positive"),
        ({"target_bytes": 10**6, "compression": "gzip"}, "gzip"),
        ({"target_bytes": 10**6, "faults": [Fault("lidar-dropout", 500.0)]}, "does not fit"),
        ({"target_bytes": 10**6, "faults": [Fault("no-such-fault")]}, "unknown fault"),
    ],
)
def test_bad_arguments_are_rejected(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_drive_log(tmp_path / "a.mcap", **kwargs)


@pytest.fixture(scope="module")
def clean_log(tmp_path_factory: pytest.TempPathFactory) -> ParsedFile:
    path = generate_drive_log(
        tmp_path_factory.mktemp("clean") / "a.mcap", seed=3, target_bytes=1_500_000
    )
    return PARSER.parse(path)


@pytest.mark.parametrize(("topic", "schema", "rate"), [(t, s, r) for t, (s, r) in TOPICS.items()])
def test_every_topic_has_its_schema_and_rate(
    clean_log: ParsedFile, topic: str, schema: str, rate: float | None
) -> None:
    stats = clean_log.topics[topic]
    assert (stats.schema, stats.message_encoding) == (schema, "cdr")
    if rate is not None:
        assert stats.mean_rate_hz == pytest.approx(rate, rel=0.02)
        assert stats.max_gap is not None and stats.max_gap.duration_ns < 1.5 * S / rate


def test_a_clean_log_has_chatter_but_no_errors(clean_log: ParsedFile) -> None:
    assert clean_log.complete and clean_log.errors == []
    assert clean_log.log_levels["INFO"] > 20 and clean_log.log_levels["DEBUG"] > 20
    assert clean_log.log_levels["ERROR"] == clean_log.log_levels["FATAL"] == 0
    assert clean_log.log_events == [] and clean_log.diagnostic_events == []


def test_the_file_is_a_ros2_mcap_with_full_message_definitions(tmp_path: Path) -> None:
    path = generate_drive_log(tmp_path / "a.mcap", seed=1, target_bytes=1_000_000)
    with open(path, "rb") as stream:
        summary = make_reader(stream).get_summary()
        assert make_reader(stream).get_header().profile == "ros2"
    assert summary is not None
    schemas = {schema.name: schema for schema in summary.schemas.values()}
    cloud = schemas["sensor_msgs/msg/PointCloud2"].data.decode()
    assert "MSG: std_msgs/Header" in cloud and "MSG: sensor_msgs/PointField" in cloud
    assert "MSG: builtin_interfaces/Time" in cloud
    assert {schema.encoding for schema in summary.schemas.values()} == {"ros2msg"}
    assert {chunk.compression for chunk in summary.chunk_indexes} == {"zstd"}


# --- faults ----------------------------------------------------------------------------------

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


# --- batches and the CLI ---------------------------------------------------------------------


def test_a_batch_is_one_recording_split_into_consecutive_files(tmp_path: Path) -> None:
    paths = generate_batch(
        tmp_path,
        vehicle_id="veh-007",
        files=3,
        seed=5,
        target_bytes_per_file=1_000_000,
        faults=[Fault("lidar-dropout", 18.0, 4.0)],
    )
    assert [p.name for p in paths] == [f"veh-007_2024_05_01-08_00_00_{i}.mcap" for i in range(3)]
    parsed = [PARSER.parse(p) for p in paths]
    for before, after in itertools.pairwise(parsed):
        assert before.end_ns is not None and after.start_ns is not None
        assert 0 < after.start_ns - before.end_ns < S // 10
    # The dropout spans the split between the first and the second file.
    last_before = parsed[0].topics["/lidar/points"].last_ns
    first_after = parsed[1].topics["/lidar/points"].first_ns
    assert last_before is not None and last_before < DEFAULT_START_NS + 18 * S
    assert first_after is not None and first_after >= DEFAULT_START_NS + 22 * S
    assert [bool(p.log_events) for p in parsed] == [True, True, False]
    assert len({digest(p) for p in paths}) == 3


def _cli() -> typer.Typer:
    app = typer.Typer()
    gen_logs_cmd.register(app)

    @app.command("noop")
    def noop() -> None:
        """Keeps typer from collapsing a one-command app into that command."""

    return app


def test_gen_logs_command_writes_and_prints_the_files(tmp_path: Path) -> None:
    args = [
        "gen-logs",
        "--out",
        str(tmp_path),
        "--vehicle",
        "veh-042",
        "--files",
        "2",
        "--size",
        "1MB",
        "--seed",
        "3",
        "--fault",
        "camera-dropout@25+3",
        "--compression",
        "lz4",
    ]
    result = CliRunner().invoke(_cli(), args)
    assert result.exit_code == 0, result.output
    paths = [Path(line) for line in result.output.split()]
    assert [p.name for p in paths] == [
        "veh-042_2024_05_01-08_00_00_0.mcap",
        "veh-042_2024_05_01-08_00_00_1.mcap",
    ]
    second = PARSER.parse(paths[1])
    assert {e.node for e in second.log_events} == {"camera_driver"}


@pytest.mark.parametrize(
    "args",
    [
        ["--fault", "bogus"],
        ["--size", "lots"],
        ["--files", "0"],
        ["--compression", "gzip"],
        ["--fault", "lidar-dropout@900"],
    ],
)
def test_gen_logs_command_rejects_bad_options(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(
        _cli(), ["gen-logs", "--out", str(tmp_path), "--size", "1MB", *args]
    )
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("50MB", 50_000_000),
        ("1.5GB", 1_500_000_000),
        ("512KiB", 524_288),
        ("2MiB", 2_097_152),
        ("1000000", 1_000_000),
        ("20 mb", 20_000_000),
        ("3G", 3_000_000_000),
        ("100B", 100),
    ],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size
