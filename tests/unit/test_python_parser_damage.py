"""The Python engine on truncated and corrupt files: what was read, and the error kind."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from mcap.reader import make_reader

from tests.unit.python_parser_fixtures import drive_logs_fixture  # noqa: F401 (the fixture)
from tests.unit.python_parser_support import (
    ROS2_FILES,
    parse_bytes,
)

pytestmark = pytest.mark.unit


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
