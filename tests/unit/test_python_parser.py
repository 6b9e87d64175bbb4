"""The Python engine: real rosbag2 files, the MCAP conformance suite (both engines), sources
and the JSON form, the `argus parse` command. Synthetic and damaged files: the two sibling
modules test_python_parser_logs.py and test_python_parser_damage.py."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import typer
from mcap.reader import make_reader
from typer.testing import CliRunner

from argus.cli import parse_cmd
from argus.domain.parsed_file import Gap, ParsedFile
from argus.infrastructure.parsing.native import NativeMcapParser, native_available
from tests.native.builders import validate
from tests.unit.python_parser_fixtures import drive_logs_fixture  # noqa: F401 (the fixture)
from tests.unit.python_parser_support import (
    CONFORMANCE_DIR,
    CONFORMANCE_FILES,
    LEVEL_NAMES,
    PARSER,
    ROS2_DIR,
    ROS2_FILES,
    decoded_rosout,
    parse_bytes,
)

pytestmark = pytest.mark.unit


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
ENGINES = [PARSER] + (
    [NativeMcapParser(threads=2, threads_from_bytes=0)] if native_available() else []
)


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
    result = CliRunner().invoke(_cli(), ["parse", str(path), "--json", "--engine", "python"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == PARSER.parse(path).to_dict()


def test_parse_command_defaults_to_the_native_engine_when_it_is_built() -> None:
    path = ROS2_DIR / "talker.mcap"
    result = CliRunner().invoke(_cli(), ["parse", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["engine"] == ("native" if native_available() else "python")
    assert {**summary, "engine": "python"} == PARSER.parse(path).to_dict()


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
