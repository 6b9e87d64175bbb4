"""The drive-log generator: determinism, sizes, argument checks, topics and the file format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcap.reader import make_reader

from argus.domain.parsed_file import ParsedFile
from argus.loggen import DEFAULT_START_NS, Fault, generate_drive_log
from tests.unit.loggen_support import PARSER, S, digest

pytestmark = pytest.mark.unit

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
