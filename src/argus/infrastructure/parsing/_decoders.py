"""Decoders for the two message types the parser reads: ROS logs and diagnostics.

Hand-written rather than schema-driven so that a C++ engine can match them byte for byte:
classic CDR only (encapsulation 0x0000 big endian, 0x0001 little endian), alignment counted
from the end of the 4-byte encapsulation header, strings as uint32 length including a NUL
terminator, decoded as strict UTF-8.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass

from argus.domain.parsed_file import LOG_LEVELS

ROS_LOG_LEVELS = {10: "DEBUG", 20: "INFO", 30: "WARN", 40: "ERROR", 50: "FATAL"}
FOXGLOVE_LOG_LEVELS = {1: "DEBUG", 2: "INFO", 3: "WARN", 4: "ERROR", 5: "FATAL"}
DIAGNOSTIC_LEVELS = {1: "WARN", 2: "ERROR", 3: "STALE"}


class DecodeError(Exception):
    """A message's bytes do not match its schema."""


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


def decode_json_log(data: bytes, *, foxglove: bool) -> LogRecord:
    """Decode a JSON log object: `rcl_interfaces/msg/Log` fields, or `foxglove.Log` fields."""
    try:
        obj = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise DecodeError(f"not valid JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise DecodeError("JSON log is not an object")
    raw_level = obj.get("level")
    if isinstance(raw_level, str):
        level = raw_level if raw_level in LOG_LEVELS else None
    elif isinstance(raw_level, int) and not isinstance(raw_level, bool):
        level = (FOXGLOVE_LOG_LEVELS if foxglove else ROS_LOG_LEVELS).get(raw_level)
    else:
        raise DecodeError("JSON log has no integer or string `level`")
    node = obj.get("name", "")
    message = obj.get("message" if foxglove else "msg", "")
    if not isinstance(node, str) or not isinstance(message, str):
        raise DecodeError("JSON log `name` and message must be strings")
    return LogRecord(level=level, node=node, message=message)
