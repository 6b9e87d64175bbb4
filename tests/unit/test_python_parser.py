"""The reference MCAP parser: real rosbag2 files, the MCAP conformance suite, hostile input."""

from __future__ import annotations

import io
import json
import struct
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import typer
from mcap.reader import make_reader
from mcap.writer import CompressionType, Writer
from mcap_ros2.decoder import DecoderFactory
from typer.testing import CliRunner

from argus.cli import parse_cmd
from argus.domain.parse_limits import MAX_ERRORS, MAX_EVENTS_PER_KIND
from argus.domain.parsed_file import Gap, ParsedFile
from argus.infrastructure.parsing import PythonMcapParser
from argus.infrastructure.parsing.native import NativeMcapParser, native_available
from argus.loggen import Fault, generate_drive_log
from tests.native.builders import validate

pytestmark = pytest.mark.unit

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
ROS2_DIR = SHARED_DATA / "mcap" / "ros2"
CONFORMANCE_DIR = SHARED_DATA / "mcap" / "conformance" / "data"
ROS2_FILES = sorted(ROS2_DIR.glob("*.mcap"))
CONFORMANCE_FILES = sorted(CONFORMANCE_DIR.glob("*/*.mcap"))
LEVEL_NAMES = {10: "DEBUG", 20: "INFO", 30: "WARN", 40: "ERROR", 50: "FATAL"}
PARSER = PythonMcapParser()


def decoded_rosout(path: Path) -> list[tuple[int, Any]]:
    """(log_time, decoded Log) of every /rosout message, decoded by mcap_ros2, not by us."""
    with open(path, "rb") as stream:
        reader = make_reader(stream, decoder_factories=[DecoderFactory()])
        return [
            (message.log_time, ros_msg)
            for _, _, message, ros_msg in reader.iter_decoded_messages(topics=["/rosout"])
        ]


def parse_bytes(data: bytes) -> ParsedFile:
    return PARSER.parse(io.BytesIO(data))


@pytest.fixture(scope="module")
def drive_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Small generated logs, one per compression, with a lidar dropout."""
    out = tmp_path_factory.mktemp("logs")
    logs = {}
    for compression in ("zstd", "lz4", "none"):
        path = generate_drive_log(
            out / f"{compression}.mcap",
            seed=11,
            target_bytes=1_500_000,
            faults=[Fault("lidar-dropout", 6.0, 3.0)],
            compression=compression,
        )
        logs[compression] = path.read_bytes()
    return logs


def test_shared_data_is_present() -> None:
    assert ROS2_DIR.is_dir(), f"shared test data missing: {ROS2_DIR}"
    assert len(ROS2_FILES) == 5
    assert len(CONFORMANCE_FILES) == 416


# --- real rosbag2 files ----------------------------------------------------------------------

ROS2_EXPECTED = [
    # file, messages, {topic: count}, error kinds
    ("talker.mcap", 20, {"/rosout": 10, "/topic": 10, "/parameter_events": 0}, []),
    ("wbag_0.mcap", 1246, {"AAA": 174, "BBB": 145, "HHH": 148}, []),
    ("rewriter_b_0.mcap", 75, {"a_empty": 25, "c_strings": 50}, []),
    ("cdr_test_0.mcap", 7, {"/test_topic": 3, "/array_topic": 4}, []),
    (
        "wrong_rmw_test_0.mcap",
        7,
        {"/test_topic": 3, "/array_topic": 4},
        ["unsupported_encoding", "unsupported_encoding"],
    ),
]


@pytest.mark.parametrize(("name", "messages", "counts", "error_kinds"), ROS2_EXPECTED)
def test_rosbag2_files_parse_with_expected_counts(
    name: str, messages: int, counts: dict[str, int], error_kinds: list[str]
) -> None:
    parsed = PARSER.parse(ROS2_DIR / name)
    assert parsed.complete
    assert parsed.message_count == messages
    assert {t: parsed.topics[t].count for t in counts} == counts
    assert [e.kind for e in parsed.errors] == error_kinds


@pytest.mark.parametrize("path", ROS2_FILES, ids=lambda p: p.name)
def test_rosbag2_files_match_the_indexed_mcap_reader(path: Path) -> None:
    with open(path, "rb") as stream:
        reader = make_reader(stream)
        counts: Counter[str] = Counter()
        sizes: Counter[str] = Counter()
        times = []
        for _, channel, message in reader.iter_messages(log_time_order=False):
            counts[channel.topic] += 1
            sizes[channel.topic] += len(message.data)
            times.append(message.log_time)
    parsed = PARSER.parse(path)
    assert {t: s.count for t, s in parsed.topics.items() if s.count} == dict(counts)
    assert {t: s.bytes for t, s in parsed.topics.items() if s.count} == dict(sizes)
    assert (parsed.start_ns, parsed.end_ns) == (min(times), max(times))


def test_talker_log_levels_match_an_independent_ros2_decode() -> None:
    path = ROS2_DIR / "talker.mcap"
    expected: Counter[str] = Counter()
    for _, log in decoded_rosout(path):
        expected[LEVEL_NAMES[log.level]] += 1
    parsed = PARSER.parse(path)
    assert {k: v for k, v in parsed.log_levels.items() if v} == dict(expected)
    assert sum(expected.values()) == parsed.topics["/rosout"].count == 10
    assert parsed.log_events == []


def test_wrong_encoding_is_reported_once_per_channel_and_still_counted() -> None:
    parsed = PARSER.parse(ROS2_DIR / "wrong_rmw_test_0.mcap")
    assert parsed.complete
    assert [(e.kind, e.record) for e in parsed.errors] == [("unsupported_encoding", "Channel")] * 2
    assert all("wrong_format" in e.message for e in parsed.errors)
    assert parsed.topics["/test_topic"].message_encoding == "wrong_format"


# --- MCAP conformance suite ------------------------------------------------------------------


def _expected_from_conformance(path: Path) -> dict[str, Any]:
    records = json.loads(path.with_suffix(".json").read_text())["records"]
    topics, counts, sizes, times = {}, Counter[str](), Counter[str](), []
    for record in records:
        fields = dict(record["fields"])
        if record["type"] == "Channel":
            topics[fields["id"]] = fields["topic"]
        elif record["type"] == "Message":
            topic = topics[fields["channel_id"]]
            counts[topic] += 1
            sizes[topic] += len(fields["data"])
            times.append(int(fields["log_time"]))
    return {"counts": dict(counts), "sizes": dict(sizes), "times": times}


# The conformance suite's own expectations are part of the golden corpus: both engines.
ENGINES = [PARSER] + ([NativeMcapParser(threads=2)] if native_available() else [])


@pytest.mark.parametrize("engine", ENGINES, ids=lambda e: e.engine)
@pytest.mark.parametrize("path", CONFORMANCE_FILES, ids=lambda p: p.stem)
def test_conformance_files_give_the_expected_messages(path: Path, engine: Any) -> None:
    expected = _expected_from_conformance(path)
    parsed = engine.parse(path)
    validate(parsed.to_dict())
    assert parsed.complete
    assert {e.kind for e in parsed.errors} <= {"unsupported_encoding"}
    assert parsed.message_count == len(expected["times"])
    assert {t: s.count for t, s in parsed.topics.items() if s.count} == expected["counts"]
    assert {t: s.bytes for t, s in parsed.topics.items() if s.count} == expected["sizes"]
    if expected["times"]:
        assert (parsed.start_ns, parsed.end_ns) == (min(expected["times"]), max(expected["times"]))
    else:
        assert (parsed.start_ns, parsed.end_ns) == (None, None)


def test_ten_messages_gap_is_the_largest_forward_step_in_file_order() -> None:
    # Log times in file order are 0 2 1 4 7 3 5 6 8 9 (see the .json); 4 -> 7 is the largest step.
    parsed = PARSER.parse(CONFORMANCE_DIR / "TenMessages" / "TenMessages.mcap")
    assert parsed.topics["example"].max_gap == Gap(start_ns=4, end_ns=7)


# --- synthetic files: gap rules, topic merging, logs, diagnostics, caps ----------------------


def build_mcap(
    messages: list[tuple[str, int, bytes]],
    *,
    schemas: dict[str, tuple[str, str]] | None = None,
    chunked: bool = True,
) -> bytes:
    """An MCAP with one channel per distinct (channel key); `schemas` maps key -> (schema,
    encoding); a key "topic#n" is another channel on `topic`."""
    out = io.BytesIO()
    writer = Writer(out, compression=CompressionType.NONE, use_chunking=chunked)
    writer.start("ros2", "test")
    channel_ids: dict[str, int] = {}
    for key, log_time, data in messages:
        if key not in channel_ids:
            schema, encoding = (schemas or {}).get(key, ("std_msgs/msg/String", "cdr"))
            schema_id = writer.register_schema(schema, "ros2msg", b"")
            topic = key.split("#")[0]
            channel_ids[key] = writer.register_channel(topic, encoding, schema_id)
        writer.add_message(channel_ids[key], log_time, data, log_time)
    writer.finish()  # type: ignore[no-untyped-call]
    return out.getvalue()


GAP_CASES = [
    # log times in file order -> expected max gap (None: no positive step)
    ([5], None),
    ([5, 5, 5], None),
    ([10, 20], Gap(10, 20)),
    ([0, 10, 20, 30], Gap(0, 10)),  # ties keep the first
    ([0, 5, 30, 35, 60], Gap(5, 30)),
    ([100, 0, 50], Gap(0, 50)),  # a step backwards is not a gap
    ([50, 40, 30], None),
    ([0, 1, 2, 1000, 1001], Gap(2, 1000)),
]


@pytest.mark.parametrize("chunked", [True, False])
@pytest.mark.parametrize(("times", "gap"), GAP_CASES)
def test_max_gap_rules(times: list[int], gap: Gap | None, chunked: bool) -> None:
    parsed = parse_bytes(build_mcap([("/t", t, b"xy") for t in times], chunked=chunked))
    stats = parsed.topics["/t"]
    assert stats.max_gap == gap
    assert (stats.first_ns, stats.last_ns) == (min(times), max(times))
    assert (stats.count, stats.bytes) == (len(times), 2 * len(times))


def test_channels_of_one_topic_are_merged_in_file_order() -> None:
    data = build_mcap([("/t", 0, b"a"), ("/t#2", 10, b"bb"), ("/t", 40, b"c"), ("/u", 5, b"")])
    parsed = parse_bytes(data)
    assert set(parsed.topics) == {"/t", "/u"}
    assert (parsed.topics["/t"].count, parsed.topics["/t"].bytes) == (3, 4)
    assert parsed.topics["/t"].max_gap == Gap(10, 40)
    assert (parsed.start_ns, parsed.end_ns, parsed.message_count) == (0, 40, 4)


def cdr_log(level: int, node: str, msg: str, *, big_endian: bool = False) -> bytes:
    """An rcl_interfaces/msg/Log in classic CDR, built by hand (alignment from byte 4)."""
    order = ">" if big_endian else "<"
    body = bytearray(struct.pack(f"{order}iIB", 1, 2, level))

    def string(text: str) -> None:
        body.extend(b"\0" * (-len(body) % 4))
        raw = text.encode() + b"\0"
        body.extend(struct.pack(f"{order}I", len(raw)) + raw)

    for text in (node, msg, "file.cpp", "fn"):
        string(text)
    body.extend(b"\0" * (-len(body) % 4) + struct.pack(f"{order}I", 42))
    return (b"\x00\x00\x00\x00" if big_endian else b"\x00\x01\x00\x00") + bytes(body)


LOG = ("rcl_interfaces/msg/Log", "cdr")


@pytest.mark.parametrize("big_endian", [False, True])
@pytest.mark.parametrize(
    ("level", "counted", "event"),
    [
        (10, "DEBUG", False),
        (20, "INFO", False),
        (30, "WARN", False),
        (40, "ERROR", True),
        (50, "FATAL", True),
        (0, None, False),
        (45, None, False),
    ],
)
def test_cdr_logs_in_both_byte_orders(
    level: int, counted: str | None, event: bool, big_endian: bool
) -> None:
    payload = cdr_log(level, "planner", "héllo wörld", big_endian=big_endian)
    parsed = parse_bytes(build_mcap([("/rosout", 7, payload)], schemas={"/rosout": LOG}))
    expected = dict.fromkeys(("DEBUG", "INFO", "WARN", "ERROR", "FATAL"), 0)
    if counted:
        expected[counted] = 1
    assert parsed.log_levels == expected
    assert parsed.errors == []
    if event:
        [log] = parsed.log_events
        assert (log.t_ns, log.level, log.node, log.message, log.topic) == (
            7,
            counted,
            "planner",
            "héllo wörld",
            "/rosout",
        )
    else:
        assert parsed.log_events == []


def test_cdr_log_decoder_agrees_with_mcap_ros2_encoding(tmp_path: Path) -> None:
    # The generator writes /rosout through mcap_ros2's own CDR encoder.
    path = generate_drive_log(
        tmp_path / "a.mcap",
        seed=2,
        duration_s=20,
        target_bytes=800_000,
        faults=[Fault("error-burst", 5.0, 2.0)],
    )
    expected: Counter[str] = Counter()
    errors = []
    for log_time, log in decoded_rosout(path):
        expected[LEVEL_NAMES[log.level]] += 1
        if log.level >= 40:
            errors.append((log_time, log.name, log.msg))
    parsed = PARSER.parse(path)
    assert {k: v for k, v in parsed.log_levels.items() if v} == dict(expected)
    assert [(e.t_ns, e.node, e.message) for e in parsed.log_events] == errors


JSON_LOG = ("rcl_interfaces/msg/Log", "json")
FOXGLOVE_LOG = ("foxglove.Log", "json")
JSON_CASES = [
    # schema, payload, counted level, error event?, error kind
    (JSON_LOG, {"level": 40, "name": "n", "msg": "m"}, "ERROR", True, None),
    (JSON_LOG, {"level": "FATAL", "name": "n", "msg": "m"}, "FATAL", True, None),
    (JSON_LOG, {"level": 20}, "INFO", False, None),
    (JSON_LOG, {"level": 4, "name": "n", "msg": "m"}, None, False, None),
    (JSON_LOG, {"level": "warning"}, None, False, None),
    (FOXGLOVE_LOG, {"level": 4, "name": "n", "message": "m"}, "ERROR", True, None),
    (FOXGLOVE_LOG, {"level": 3, "name": "n", "message": "m"}, "WARN", False, None),
    (FOXGLOVE_LOG, {"level": 40}, None, False, None),
    (JSON_LOG, {"level": True, "name": "n"}, None, False, "bad_log"),
    (JSON_LOG, {"level": 40.0}, None, False, "bad_log"),
    (JSON_LOG, {"level": 40, "name": 7}, None, False, "bad_log"),
    (JSON_LOG, {"name": "n"}, None, False, "bad_log"),
    (JSON_LOG, [40, "n"], None, False, "bad_log"),
    (JSON_LOG, "not json", None, False, "bad_json"),
    (JSON_LOG, '{"level": NaN}', None, False, "bad_json"),
    (JSON_LOG, '{"level": 40, "msg": "\\ud800!"}', "ERROR", True, None),
    (JSON_LOG, '{"level": 1' + "0" * 18 + "}", None, False, None),
]


@pytest.mark.parametrize(("schema", "payload", "counted", "event", "error"), JSON_CASES)
def test_json_log_channels(
    schema: tuple[str, str], payload: Any, counted: str | None, event: bool, error: str | None
) -> None:
    raw = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
    parsed = parse_bytes(build_mcap([("/log", 3, raw)], schemas={"/log": schema}))
    assert sum(parsed.log_levels.values()) == (1 if counted else 0)
    if counted:
        assert parsed.log_levels[counted] == 1
    assert len(parsed.log_events) == (1 if event else 0)
    assert [e.kind for e in parsed.errors] == ([error] if error else [])
    assert parsed.complete and parsed.message_count == 1


def cdr_diagnostics(statuses: list[tuple[int, str, str, str]]) -> bytes:
    """A diagnostic_msgs/msg/DiagnosticArray in little-endian CDR, one key/value per status."""
    body = bytearray(struct.pack("<iI", 1, 2))

    def string(text: str) -> None:
        body.extend(b"\0" * (-len(body) % 4))
        raw = text.encode() + b"\0"
        body.extend(struct.pack("<I", len(raw)) + raw)

    def count(n: int) -> None:
        body.extend(b"\0" * (-len(body) % 4) + struct.pack("<I", n))

    string("base_link")
    count(len(statuses))
    for level, name, message, hardware_id in statuses:
        body.append(level)
        for text in (name, message, hardware_id):
            string(text)
        count(1)
        string("key")
        string("value")
    return b"\x00\x01\x00\x00" + bytes(body)


def test_diagnostic_statuses_become_events_for_warn_error_stale_only() -> None:
    payload = cdr_diagnostics(
        [
            (0, "a", "ok", "hw0"),
            (1, "b", "warm", "hw1"),
            (2, "c", "dead", "hw2"),
            (3, "d", "old", ""),
            (4, "e", "?", ""),
        ]
    )
    schemas = {"/diagnostics": ("diagnostic_msgs/msg/DiagnosticArray", "cdr")}
    parsed = parse_bytes(build_mcap([("/diagnostics", 9, payload)], schemas=schemas))
    assert [
        (d.t_ns, d.name, d.level, d.message, d.hardware_id) for d in parsed.diagnostic_events
    ] == [
        (9, "b", "WARN", "warm", "hw1"),
        (9, "c", "ERROR", "dead", "hw2"),
        (9, "d", "STALE", "old", ""),
    ]
    assert parsed.errors == []


def test_event_caps_count_the_overflow() -> None:
    extra = 7
    line = json.dumps({"level": 40, "name": "n", "msg": "boom"}).encode()
    messages = [("/log", t, line) for t in range(MAX_EVENTS_PER_KIND + extra)]
    parsed = parse_bytes(build_mcap(messages, schemas={"/log": JSON_LOG}))
    assert len(parsed.log_events) == MAX_EVENTS_PER_KIND
    assert parsed.dropped_events == extra
    assert parsed.log_levels["ERROR"] == MAX_EVENTS_PER_KIND + extra


def test_decode_errors_are_capped_and_leave_room_for_a_fatal_error() -> None:
    messages = [("/rosout", t, b"\x00\x01\x00\x00\x01") for t in range(3 * MAX_ERRORS)]
    data = build_mcap(messages, schemas={"/rosout": LOG})
    parsed = parse_bytes(data)
    assert parsed.complete and parsed.message_count == 3 * MAX_ERRORS
    assert len(parsed.errors) == MAX_ERRORS - 1
    assert {(e.kind, e.record) for e in parsed.errors} == {("bad_cdr", "Message")}
    truncated = parse_bytes(data[:-20])
    assert len(truncated.errors) == MAX_ERRORS
    assert truncated.errors[-1].kind == "truncated"


def test_a_channel_whose_schema_was_never_written_is_corrupt() -> None:
    out = io.BytesIO()
    writer = Writer(out, compression=CompressionType.NONE)
    writer.start("ros2", "test")
    channel_id = writer.register_channel("/t", "cdr", schema_id=77)
    writer.add_message(channel_id, 1, b"x", 1)
    writer.finish()  # type: ignore[no-untyped-call]
    parsed = parse_bytes(out.getvalue())
    assert not parsed.complete
    assert (parsed.errors[-1].kind, parsed.errors[-1].record) == ("unknown_schema", "Channel")


# --- truncated and corrupt files -------------------------------------------------------------

CUTS = [0, 1, 7, 8, 9, 20, 100, 0.05, 0.2, 0.33, 0.5, 0.75, 0.9, 0.99, -17, -8, -1]


@pytest.mark.parametrize("compression", ["zstd", "lz4", "none"])
@pytest.mark.parametrize("cut", CUTS)
def test_truncated_generated_file_returns_what_was_read(
    drive_logs: dict[str, bytes], compression: str, cut: float
) -> None:
    data = drive_logs[compression]
    size = round(cut * len(data)) if isinstance(cut, float) else cut % len(data)
    full = parse_bytes(data)
    parsed = parse_bytes(data[:size])
    assert not parsed.complete
    error = parsed.errors[-1]
    assert error.kind == "truncated"
    assert error.offset is not None and 0 <= error.offset <= size
    assert parsed.message_count <= full.message_count
    for topic, stats in parsed.topics.items():
        assert stats.count <= full.topics[topic].count


@pytest.mark.parametrize("path", ROS2_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.97])
def test_truncated_rosbag2_files_do_not_raise(path: Path, fraction: float) -> None:
    data = path.read_bytes()
    parsed = parse_bytes(data[: int(len(data) * fraction)])
    assert not parsed.complete
    assert parsed.errors[-1].kind == "truncated"


def _chunks(data: bytes) -> list[tuple[int, int]]:
    """(start offset, length) of every chunk, from the file's own chunk index."""
    summary = make_reader(io.BytesIO(data)).get_summary()
    assert summary is not None
    return [(c.chunk_start_offset, c.chunk_length) for c in summary.chunk_indexes]


@pytest.mark.parametrize("compression", ["zstd", "lz4", "none"])
@pytest.mark.parametrize("where", [0.3, 0.5, 0.9])
@pytest.mark.parametrize("which", [0, 1, -1])
def test_flipped_bytes_inside_a_chunk_are_corrupt_at_that_chunk(
    drive_logs: dict[str, bytes], compression: str, where: float, which: int
) -> None:
    data = bytearray(drive_logs[compression])
    start, length = _chunks(bytes(data))[which]
    position = start + 60 + int((length - 60) * where)  # inside the chunk's data
    data[position] ^= 0x5A
    data[position + 1] ^= 0xA5
    parsed = parse_bytes(bytes(data))
    assert not parsed.complete
    assert parsed.errors[-1].kind in ("decompression_failed", "bad_crc")
    assert parsed.errors[-1].record == "Chunk"
    assert parsed.errors[-1].offset == start


@pytest.mark.parametrize(
    ("data", "kind", "offset"),
    [
        (b"", "truncated", 0),
        (b"\x89MCA", "truncated", 0),
        (b"\x89MCAP0\r\n", "truncated", 8),
        (b"NOTMCAP!" + bytes(64), "bad_magic", 0),
        (b"\x89MCAP0\r\n" + b"\x01" + struct.pack("<Q", 1 << 40), "record_too_large", 8),
        (b"\x89MCAP0\r\n" + b"\x05" + struct.pack("<Q", 3) + bytes(40), "malformed_record", 8),
        (b"\x89MCAP0\r\n" + b"\x05" + struct.pack("<Q", 3) + b"abc", "truncated", 8),
        (b"\x89MCAP0\r\n" + b"\x06" + struct.pack("<Q", 1 << 20) + bytes(100), "truncated", 8),
    ],
    ids=[
        "empty",
        "short-magic",
        "magic-only",
        "bad-magic",
        "huge-length",
        "short-message",
        "short-message-at-eof",
        "chunk-past-eof",
    ],
)
def test_hostile_headers(data: bytes, kind: str, offset: int) -> None:
    parsed = parse_bytes(data)
    assert not parsed.complete
    assert (parsed.errors[-1].kind, parsed.errors[-1].offset) == (kind, offset)


def test_bad_trailing_magic_is_corrupt(drive_logs: dict[str, bytes]) -> None:
    data = drive_logs["none"][:-8] + b"XXXXXXXX"
    parsed = parse_bytes(data)
    assert (parsed.complete, parsed.errors[-1].kind, parsed.errors[-1].record) == (
        False,
        "bad_magic",
        "Magic",
    )
    assert parsed.message_count == parse_bytes(drive_logs["none"]).message_count


# --- sources and the JSON form ---------------------------------------------------------------


class _PipeLike:
    """A non-seekable stream that returns short reads, like a socket or a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        size = min(size, 4093) if size >= 0 else 4093
        piece = bytes(self._data[self._pos : self._pos + size])
        self._pos += len(piece)
        return piece


def test_non_seekable_short_read_stream_gives_the_same_summary(
    drive_logs: dict[str, bytes], tmp_path: Path
) -> None:
    path = tmp_path / "a.mcap"
    path.write_bytes(drive_logs["zstd"])
    from_path = PARSER.parse(path).to_dict()
    assert PARSER.parse(_PipeLike(drive_logs["zstd"])).to_dict() == from_path  # type: ignore[arg-type]
    assert PARSER.parse(str(path)).to_dict() == from_path


@pytest.mark.parametrize("path", ROS2_FILES + CONFORMANCE_FILES[::40], ids=lambda p: p.name)
def test_round_trip_through_the_json_form(path: Path) -> None:
    data = PARSER.parse(path).to_dict()
    assert ParsedFile.from_dict(json.loads(json.dumps(data))).to_dict() == data


def test_round_trip_of_a_summary_with_events_and_errors(drive_logs: dict[str, bytes]) -> None:
    parsed = parse_bytes(drive_logs["lz4"][:-1000])
    assert parsed.log_events and parsed.diagnostic_events and parsed.errors
    data = parsed.to_dict()
    assert ParsedFile.from_dict(json.loads(json.dumps(data))).to_dict() == data


# --- the `argus parse` command ---------------------------------------------------------------


def _cli() -> typer.Typer:
    app = typer.Typer()
    parse_cmd.register(app)

    @app.command("noop")
    def noop() -> None:
        """Keeps typer from collapsing a one-command app into that command."""

    return app


def test_parse_command_prints_the_json_summary() -> None:
    path = ROS2_DIR / "talker.mcap"
    result = CliRunner().invoke(_cli(), ["parse", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == PARSER.parse(path).to_dict()


@pytest.mark.parametrize(
    ("args", "exit_code"),
    [
        (["parse", str(ROS2_DIR / "wrong_rmw_test_0.mcap")], 0),
        (["parse", str(ROS2_DIR / "talker.mcap"), "--engine", "python"], 0),
        (["parse", "/no/such/file.mcap"], 2),
        (["parse", str(ROS2_DIR / "talker.mcap"), "--engine", "cobol"], 2),
    ],
)
def test_parse_command_exit_codes(args: list[str], exit_code: int) -> None:
    assert CliRunner().invoke(_cli(), args).exit_code == exit_code


def test_parse_command_exits_zero_on_a_truncated_file(
    drive_logs: dict[str, bytes], tmp_path: Path
) -> None:
    path = tmp_path / "cut.mcap"
    path.write_bytes(drive_logs["zstd"][:5000])
    result = CliRunner().invoke(_cli(), ["parse", str(path)])
    assert result.exit_code == 0
    assert "INCOMPLETE" in result.output and "truncated" in result.output
