"""Decoders for the two message types the parser reads: ROS logs and diagnostics.

Hand-written rather than schema-driven so that a C++ engine can match them byte for byte:
classic CDR only (encapsulation 0x0000 big endian, 0x0001 little endian), alignment counted
from the end of the 4-byte encapsulation header, strings as uint32 length including a NUL
terminator, decoded as strict UTF-8. JSON logs follow RFC 8259 with the depth limit and the
text rules of docs/schemas/parsed-file.md, not whatever `json.loads` happens to accept.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass
from typing import NoReturn

from argus.domain.parse_limits import MAX_JSON_DEPTH, MAX_JSON_INT_DIGITS
from argus.domain.parsed_file import LOG_LEVELS, ErrorKind

ROS_LOG_LEVELS = {10: "DEBUG", 20: "INFO", 30: "WARN", 40: "ERROR", 50: "FATAL"}
FOXGLOVE_LOG_LEVELS = {1: "DEBUG", 2: "INFO", 3: "WARN", 4: "ERROR", 5: "FATAL"}
DIAGNOSTIC_LEVELS = {1: "WARN", 2: "ERROR", 3: "STALE"}


class DecodeError(Exception):
    """A message's bytes do not match its schema; `kind` is the summary's error kind."""

    def __init__(self, message: str, kind: ErrorKind = ErrorKind.BAD_CDR) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class LogRecord:
    """The fields of a log message the summary needs; `level` is None for unknown levels."""

    level: str | None
    node: str
    message: str


@dataclass(frozen=True, slots=True)
class StatusRecord:
    """One `DiagnosticStatus`; `level` is the raw byte."""

    level: int
    name: str
    message: str
    hardware_id: str


class _Cdr:
    __slots__ = ("_buf", "_pos", "_u32")

    def __init__(self, data: bytes) -> None:
        if len(data) < 4:
            raise DecodeError("shorter than the 4-byte CDR encapsulation header")
        if data[0] != 0 or data[1] not in (0, 1):
            raise DecodeError(f"unsupported CDR encapsulation 0x{data[0]:02x}{data[1]:02x}")
        self._buf = data
        self._pos = 4
        self._u32 = struct.Struct("<I" if data[1] == 1 else ">I")

    def _need(self, size: int) -> None:
        if self._pos + size > len(self._buf):
            raise DecodeError(f"needs {size} bytes at offset {self._pos}, data ends")

    def _align(self, size: int) -> None:
        self._pos += -(self._pos - 4) % size

    def u8(self) -> int:
        self._need(1)
        value = self._buf[self._pos]
        self._pos += 1
        return value

    def u32(self) -> int:
        self._align(4)
        self._need(4)
        (value,) = self._u32.unpack_from(self._buf, self._pos)
        self._pos += 4
        return int(value)

    def string(self) -> str:
        size = self.u32()
        self._need(size)
        raw = self._buf[self._pos : self._pos + size]
        self._pos += size
        if raw.endswith(b"\0"):
            raw = raw[:-1]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"string is not valid UTF-8: {exc.reason}") from exc

    def count(self) -> int:
        # Every element takes at least one byte: a larger count is corrupt, not a huge list.
        size = self.u32()
        if size > len(self._buf) - self._pos:
            raise DecodeError(f"sequence of {size} elements cannot fit in the data")
        return size


def decode_cdr_log(data: bytes) -> LogRecord:
    """Decode an `rcl_interfaces/msg/Log` in CDR (every field is read, trailing bytes ignored)."""
    cdr = _Cdr(data)
    cdr.u32()  # stamp.sec
    cdr.u32()  # stamp.nanosec
    level = cdr.u8()
    node = cdr.string()
    message = cdr.string()
    cdr.string()  # file
    cdr.string()  # function
    cdr.u32()  # line
    return LogRecord(level=ROS_LOG_LEVELS.get(level), node=node, message=message)


def decode_cdr_diagnostics(data: bytes) -> list[StatusRecord]:
    """Decode a `diagnostic_msgs/msg/DiagnosticArray` in CDR into its statuses."""
    cdr = _Cdr(data)
    cdr.u32()  # header.stamp.sec
    cdr.u32()  # header.stamp.nanosec
    cdr.string()  # header.frame_id
    statuses = []
    for _ in range(cdr.count()):
        level = cdr.u8()
        name = cdr.string()
        message = cdr.string()
        hardware_id = cdr.string()
        for _ in range(cdr.count()):
            cdr.string()  # key
            cdr.string()  # value
        statuses.append(StatusRecord(level, name, message, hardware_id))
    return statuses


# Strings (escapes skipped, possibly unterminated) and brackets: the spec's depth scan.
_JSON_DEPTH_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[{\]}]', re.DOTALL)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Any integer outside both level tables stands in for one too long to be in them.
_OUT_OF_TABLE = -1


def _json_depth_exceeds(data: bytes, limit: int) -> bool:
    if data.count(b"[") + data.count(b"{") <= limit:
        return False  # cannot nest deeper than it has openers: the common case, counted in C
    depth = 0
    for token in _JSON_DEPTH_TOKENS.finditer(data):
        char = token[0][:1]
        if char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


def _json_int(text: str) -> int:
    return int(text) if len(text.lstrip("-")) <= MAX_JSON_INT_DIGITS else _OUT_OF_TABLE


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


# One decoder for every message: json.loads with hooks would build a new one per call.
_JSON = json.JSONDecoder(parse_int=_json_int, parse_constant=_no_constant)


def _text(value: str) -> str:
    # Escaped lone surrogates (\ud800) are not text: the spec replaces them with U+FFFD.
    return value if value.isascii() else _LONE_SURROGATE.sub("\ufffd", value)


def decode_json_log(data: bytes, *, foxglove: bool) -> LogRecord:
    """Decode a JSON log object: `rcl_interfaces/msg/Log` fields, or `foxglove.Log` fields."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not UTF-8: {exc.reason}", ErrorKind.BAD_JSON) from exc
    if _json_depth_exceeds(data, MAX_JSON_DEPTH):
        raise DecodeError(f"nests deeper than {MAX_JSON_DEPTH}", ErrorKind.JSON_TOO_DEEP)
    try:
        # The depth scan bounds the recursion; the hooks refuse NaN/Infinity and keep huge
        # integers from reaching int(), so acceptance is RFC 8259's, not the interpreter's.
        obj = _JSON.decode(text)
    except ValueError as exc:
        raise DecodeError(f"not valid JSON: {exc}", ErrorKind.BAD_JSON) from exc
    if not isinstance(obj, dict):
        raise DecodeError("JSON log is not an object", ErrorKind.BAD_LOG)
    raw_level = obj.get("level")
    if isinstance(raw_level, str):
        level = raw_level if raw_level in LOG_LEVELS else None
    elif isinstance(raw_level, int) and not isinstance(raw_level, bool):
        level = (FOXGLOVE_LOG_LEVELS if foxglove else ROS_LOG_LEVELS).get(raw_level)
    else:
        raise DecodeError("JSON log has no integer or string `level`", ErrorKind.BAD_LOG)
    node = obj.get("name", "")
    message = obj.get("message" if foxglove else "msg", "")
    if not isinstance(node, str) or not isinstance(message, str):
        raise DecodeError("JSON log `name` and message must be strings", ErrorKind.BAD_LOG)
    return LogRecord(level=level, node=_text(node), message=_text(message))
