"""The Python engine on synthetic files: gap rules, topic merging, logs, diagnostics, caps."""

from __future__ import annotations

import io
import json
import struct
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from mcap.writer import CompressionType, Writer

from argus.domain.parse_limits import MAX_ERRORS, MAX_EVENTS_PER_KIND
from argus.domain.parsed_file import Gap
from argus.loggen import Fault, generate_drive_log
from tests.unit.python_parser_support import (
    LEVEL_NAMES,
    PARSER,
    build_mcap,
    decoded_rosout,
    parse_bytes,
)

pytestmark = pytest.mark.unit


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
