"""Byte-level MCAP builders and the comparison used by the native-vs-reference tests."""

from __future__ import annotations

import io
import json
import struct
import zlib
from importlib import resources
from typing import Any

import jsonschema
import lz4.frame
import zstandard

from argus.infrastructure.parsing import PythonMcapParser
from argus.infrastructure.parsing.native import NativeMcapParser, native_available

MAGIC = b"\x89MCAP0\r\n"
REFERENCE = PythonMcapParser()
# The core with chunks decompressed on the reader's thread, and on four threads: both must give
# the reference's summary, so every hostile case runs through both.
NATIVE = NativeMcapParser(threads=1) if native_available() else None
NATIVE_THREADED = NativeMcapParser(threads=4, threads_from_bytes=0) if native_available() else None
# The checked-in JSON Schema of the summary, shipped in the package beside the dataclasses.
SCHEMA = json.loads(
    resources.files("argus.domain").joinpath("parsed_file.schema.json").read_text("utf-8")
)
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def validate(summary: dict[str, Any]) -> dict[str, Any]:
    """`summary` (a ParsedFile.to_dict()) conforms to the JSON Schema; returned unchanged."""
    _VALIDATOR.validate(summary)
    return summary


def summaries(data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """(reference, native) summaries of `data`, without the engine name."""
    assert NATIVE is not None and NATIVE_THREADED is not None
    expected = validate(REFERENCE.parse(io.BytesIO(data)).to_dict())
    actual = validate(NATIVE.parse(io.BytesIO(data)).to_dict())
    assert NATIVE_THREADED.parse(io.BytesIO(data)).to_dict() == actual
    assert (expected.pop("engine"), actual.pop("engine")) == ("python", "native")
    return expected, actual


def comparable(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary with error messages blanked: the spec leaves their wording to each engine."""
    return {**summary, "errors": [{**e, "message": "…"} for e in summary["errors"]]}


def assert_same(data: bytes) -> dict[str, Any]:
    """Both engines agree on `data`; returns the reference summary."""
    expected, actual = summaries(data)
    assert comparable(actual) == comparable(expected)
    return expected


def record(opcode: int, body: bytes, length: int | None = None) -> bytes:
    return struct.pack("<BQ", opcode, len(body) if length is None else length) + body


def text(value: str | bytes) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return struct.pack("<I", len(raw)) + raw


def header() -> bytes:
    return record(0x01, text("ros2") + text("test"))


def schema(schema_id: int, name: str) -> bytes:
    return record(0x03, struct.pack("<H", schema_id) + text(name) + text("ros2msg") + text(b""))


def channel(channel_id: int, schema_id: int, topic: str, encoding: str = "cdr") -> bytes:
    body = struct.pack("<HH", channel_id, schema_id) + text(topic) + text(encoding)
    return record(0x04, body + struct.pack("<I", 0))


def message(channel_id: int, log_time: int, data: bytes) -> bytes:
    return record(0x05, struct.pack("<HIQQ", channel_id, 0, log_time, log_time) + data)


def footer() -> bytes:
    return record(0x02, struct.pack("<QQI", 0, 0, 0))


def chunk(
    records: bytes,
    compression: str = "",
    *,
    data: bytes | None = None,
    size: int | None = None,
    crc: int | None = None,
) -> bytes:
    """A Chunk record; `data`, `size` and `crc` override the honest values."""
    if data is None:
        if compression == "zstd":
            data = zstandard.ZstdCompressor().compress(records)
        elif compression == "lz4":
            data = lz4.frame.compress(records)
        else:
            data = records
    body = struct.pack(
        "<QQQI",
        0,
        0,
        len(records) if size is None else size,
        zlib.crc32(records) if crc is None else crc,
    )
    return record(0x06, body + text(compression) + struct.pack("<Q", len(data)) + data)


def mcap(*records: bytes, end: bytes | None = None) -> bytes:
    """A file: magic, `records`, and a Footer plus trailing magic unless `end` replaces them."""
    return MAGIC + b"".join(records) + (footer() + MAGIC if end is None else end)


def cdr_log(level: int, node: str, msg: str, *, node_length: int | None = None) -> bytes:
    """An rcl_interfaces/msg/Log in little-endian classic CDR."""
    body = bytearray(struct.pack("<iIB", 1, 2, level))
    for index, value in enumerate((node, msg, "file.cpp", "fn")):
        body.extend(b"\0" * (-len(body) % 4))
        raw = value.encode() + b"\0"
        length = node_length if index == 0 and node_length is not None else len(raw)
        body.extend(struct.pack("<I", length) + raw)
    body.extend(b"\0" * (-len(body) % 4) + struct.pack("<I", 42))
    return b"\x00\x01\x00\x00" + bytes(body)


def cdr_diagnostics(count: int, level: int = 2) -> bytes:
    """A DiagnosticArray whose status sequence length is `count` (one status is present)."""
    body = bytearray(struct.pack("<iI", 1, 2))
    body.extend(struct.pack("<I", 1) + b"\0")
    body.extend(b"\0" * (-len(body) % 4) + struct.pack("<I", count))
    body.append(level)
    for value in ("name", "msg", "hw"):
        body.extend(b"\0" * (-len(body) % 4))
        body.extend(struct.pack("<I", len(value) + 1) + value.encode() + b"\0")
    body.extend(b"\0" * (-len(body) % 4) + struct.pack("<I", 0))
    return b"\x00\x01\x00\x00" + bytes(body)


def log_file(schema_name: str, encoding: str, payloads: list[bytes], *, chunked: bool) -> bytes:
    """One channel of `schema_name`/`encoding` carrying `payloads`, chunked or not."""
    head = schema(1, schema_name) + channel(1, 1, "/log", encoding)
    body = b"".join(message(1, t, p) for t, p in enumerate(payloads))
    if chunked:
        return mcap(header(), chunk(head + body))
    return mcap(header(), head, body)


def json_log_file(raw: bytes, *, foxglove: bool = False, chunked: bool = True) -> bytes:
    """One JSON log message `raw` on an rcl_interfaces/msg/Log (or foxglove.Log) channel."""
    schema_name = "foxglove.Log" if foxglove else "rcl_interfaces/msg/Log"
    return log_file(schema_name, "json", [raw], chunked=chunked)
