"""The `ParsedFile` summary: what a parser extracts from one drive log.

This is the contract between parser engines (the Python reference parser, the C++ core)
and the gather stage. The specification is docs/schemas/parsed-file.md, its JSON Schema is
`parsed_file.schema.json` beside this module, and the limits both engines apply live in
`argus.domain.parse_limits`. Every field is an integer, a string or a list/dict of those,
except `mean_rate_hz`, which is derived from integers with one IEEE division so that every
engine computes the same bits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from argus.domain.parse_limits import MAX_ERRORS, MAX_EVENTS_PER_KIND

SCHEMA_VERSION = 2
LOG_LEVELS = ("DEBUG", "INFO", "WARN", "ERROR", "FATAL")


class ErrorKind(StrEnum):
    """The closed set of `errors[].kind` values (docs/schemas/parsed-file.md says when)."""

    # Fatal: reading stops.
    TRUNCATED = "truncated"
    BAD_MAGIC = "bad_magic"
    RECORD_TOO_LARGE = "record_too_large"
    MALFORMED_RECORD = "malformed_record"
    UNKNOWN_COMPRESSION = "unknown_compression"
    DECOMPRESSION_FAILED = "decompression_failed"
    BAD_CRC = "bad_crc"
    UNKNOWN_SCHEMA = "unknown_schema"
    UNKNOWN_CHANNEL = "unknown_channel"
    # Not fatal: the message or channel is counted and reading goes on.
    BAD_CDR = "bad_cdr"
    BAD_JSON = "bad_json"
    JSON_TOO_DEEP = "json_too_deep"
    BAD_LOG = "bad_log"
    UNSUPPORTED_ENCODING = "unsupported_encoding"

    @property
    def fatal(self) -> bool:
        """True for the kinds that stop reading."""
        return self not in _NON_FATAL


_NON_FATAL = frozenset(
    {
        ErrorKind.BAD_CDR,
        ErrorKind.BAD_JSON,
        ErrorKind.JSON_TOO_DEEP,
        ErrorKind.BAD_LOG,
        ErrorKind.UNSUPPORTED_ENCODING,
    }
)


@dataclass(frozen=True, slots=True)
class Gap:
    """The largest gap between two consecutive messages of one topic."""

    start_ns: int
    end_ns: int

    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns


@dataclass(slots=True)
class TopicStats:
    """Counts for one topic; every message is counted, decoded or not."""

    count: int = 0
    bytes: int = 0
    schema: str = ""
    message_encoding: str = ""
    first_ns: int | None = None
    last_ns: int | None = None
    max_gap: Gap | None = None

    @property
    def mean_rate_hz(self) -> float:
        if self.count < 2 or self.first_ns is None or self.last_ns is None:
            return 0.0
        span_ns = self.last_ns - self.first_ns
        if span_ns <= 0:
            return 0.0
        return float(self.count - 1) * 1e9 / float(span_ns)


@dataclass(frozen=True, slots=True)
class LogEvent:
    """An ERROR or FATAL `rcl_interfaces/msg/Log` message (or JSON log line)."""

    t_ns: int
    level: str
    node: str
    message: str
    topic: str


@dataclass(frozen=True, slots=True)
class DiagnosticEvent:
    """A `diagnostic_msgs/msg/DiagnosticStatus` at level WARN, ERROR or STALE."""

    t_ns: int
    name: str
    level: str
    message: str
    hardware_id: str


@dataclass(frozen=True, slots=True)
class ParseError:
    """What went wrong while reading, and where: `offset` is a byte offset in the file."""

    kind: str
    message: str
    offset: int | None = None
    record: str | None = None


@dataclass(slots=True)
class ParsedFile:
    """Summary of one file. `complete` is False when reading stopped before the file's end."""

    engine: str
    complete: bool = True
    start_ns: int | None = None
    end_ns: int | None = None
    message_count: int = 0
    topics: dict[str, TopicStats] = field(default_factory=dict)
    log_levels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LOG_LEVELS, 0))
    log_events: list[LogEvent] = field(default_factory=list)
    diagnostic_events: list[DiagnosticEvent] = field(default_factory=list)
    dropped_events: int = 0
    errors: list[ParseError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of docs/schemas/parsed-file.md (keys in a stable order)."""
        topics = {}
        for name in sorted(self.topics):
            stats = self.topics[name]
            topics[name] = {
                "count": stats.count,
                "bytes": stats.bytes,
                "schema": stats.schema,
                "message_encoding": stats.message_encoding,
                "first_ns": stats.first_ns,
                "last_ns": stats.last_ns,
                "mean_rate_hz": stats.mean_rate_hz,
                "max_gap": None if stats.max_gap is None else asdict(stats.max_gap),
            }
        return {
            "schema_version": SCHEMA_VERSION,
            "engine": self.engine,
            "complete": self.complete,
            "start_ns": self.start_ns,
            "end_ns": self.end_ns,
            "message_count": self.message_count,
            "topics": topics,
            "log_levels": dict(self.log_levels),
            "log_events": [asdict(e) for e in self.log_events],
            "diagnostic_events": [asdict(e) for e in self.diagnostic_events],
            "dropped_events": self.dropped_events,
            "errors": [asdict(e) for e in self.errors],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedFile:
        """Inverse of `to_dict`; `mean_rate_hz` is recomputed, not read."""
        topics = {
            name: TopicStats(
                count=t["count"],
                bytes=t["bytes"],
                schema=t["schema"],
                message_encoding=t["message_encoding"],
                first_ns=t["first_ns"],
                last_ns=t["last_ns"],
                max_gap=None if t["max_gap"] is None else Gap(**t["max_gap"]),
            )
            for name, t in data["topics"].items()
        }
        return cls(
            engine=data["engine"],
            complete=data["complete"],
            start_ns=data["start_ns"],
            end_ns=data["end_ns"],
            message_count=data["message_count"],
            topics=topics,
            log_levels=dict(data["log_levels"]),
            log_events=[LogEvent(**e) for e in data["log_events"]],
            diagnostic_events=[DiagnosticEvent(**e) for e in data["diagnostic_events"]],
            dropped_events=data["dropped_events"],
            errors=[ParseError(**e) for e in data["errors"]],
        )


__all__ = [
    "LOG_LEVELS",
    "MAX_ERRORS",  # re-exported: their home is argus.domain.parse_limits
    "MAX_EVENTS_PER_KIND",
    "SCHEMA_VERSION",
    "DiagnosticEvent",
    "ErrorKind",
    "Gap",
    "LogEvent",
    "ParseError",
    "ParsedFile",
    "TopicStats",
]
