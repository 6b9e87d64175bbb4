"""Accumulates the `ParsedFile` summary as records stream past, with the caps applied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from argus.domain.parse_limits import MAX_ERRORS, MAX_EVENTS_PER_KIND
from argus.domain.parsed_file import (
    DiagnosticEvent,
    ErrorKind,
    Gap,
    LogEvent,
    ParsedFile,
    ParseError,
    TopicStats,
)
from argus.infrastructure.parsing._decoders import (
    DIAGNOSTIC_LEVELS,
    DecodeError,
    decode_cdr_diagnostics,
    decode_cdr_log,
    decode_json_log,
)

# Message encodings of the MCAP registry; anything else cannot even be identified.
KNOWN_ENCODINGS = frozenset(
    {"ros1", "cdr", "protobuf", "flatbuffer", "capnproto", "cbor", "msgpack", "json"}
)
_CDR_LOG, _CDR_DIAGNOSTICS, _JSON_ROS_LOG, _JSON_FOXGLOVE_LOG = 1, 2, 3, 4
_Event = TypeVar("_Event", LogEvent, DiagnosticEvent)
_DECODERS = {
    ("rcl_interfaces/msg/Log", "cdr"): _CDR_LOG,
    ("diagnostic_msgs/msg/DiagnosticArray", "cdr"): _CDR_DIAGNOSTICS,
    ("rcl_interfaces/msg/Log", "json"): _JSON_ROS_LOG,
    ("foxglove.Log", "json"): _JSON_FOXGLOVE_LOG,
}


class Fatal(Exception):
    """Reading cannot go on: the file is truncated or corrupt at `offset`."""

    def __init__(
        self, kind: ErrorKind, message: str, offset: int | None, record: str | None
    ) -> None:
        super().__init__(message)
        self.error = ParseError(kind=kind, message=message, offset=offset, record=record)


class _Topic:
    __slots__ = ("count", "data_bytes", "encoding", "first", "gap", "last", "prev", "schema")

    def __init__(self, schema: str, encoding: str) -> None:
        self.count = 0
        self.data_bytes = 0
        self.schema = schema
        self.encoding = encoding
        self.first: int | None = None
        self.last: int | None = None
        self.prev: int | None = None
        self.gap: Gap | None = None


@dataclass(frozen=True, slots=True)
class _Channel:
    name: str
    topic: _Topic
    decoder: int


class SummaryBuilder:
    """Fed schemas, channels and messages in file order; `result()` gives the ParsedFile."""

    def __init__(self, engine: str) -> None:
        self._file = ParsedFile(engine=engine)
        self._schemas: dict[int, str] = {}
        self._channels: dict[int, _Channel] = {}
        self._topics: dict[str, _Topic] = {}
        self._reported_channels: set[int] = set()

    def schema(self, schema_id: int, name: str) -> None:
        """Remember a Schema record's name under its id."""
        self._schemas[schema_id] = name

    def channel(
        self, channel_id: int, schema_id: int, topic: str, encoding: str, offset: int
    ) -> None:
        """Register a Channel record; the first channel of a topic names its schema."""
        if schema_id != 0 and schema_id not in self._schemas:
            raise Fatal(
                ErrorKind.UNKNOWN_SCHEMA,
                f"channel {channel_id} uses unknown schema {schema_id}",
                offset,
                "Channel",
            )
        schema = self._schemas.get(schema_id, "")
        state = self._topics.get(topic)
        if state is None:
            state = self._topics[topic] = _Topic(schema, encoding)
        decoder = _DECODERS.get((schema, encoding), 0)
        self._channels[channel_id] = _Channel(topic, state, decoder)
        if encoding not in KNOWN_ENCODINGS and channel_id not in self._reported_channels:
            self._reported_channels.add(channel_id)
            self.error(
                ErrorKind.UNSUPPORTED_ENCODING,
                f"channel {channel_id} ({topic}) has message "
                f"encoding {encoding!r}; messages counted, not decoded",
                offset,
                "Channel",
            )

    def message(
        self, channel_id: int, log_time: int, data: bytes | memoryview, offset: int
    ) -> None:
        """Count one Message record (its payload is `data`) and decode it if it is a log."""
        channel = self._channels.get(channel_id)
        if channel is None:
            message = f"message on unknown channel {channel_id}"
            raise Fatal(ErrorKind.UNKNOWN_CHANNEL, message, offset, "Message")
        topic = channel.topic
        topic.count += 1
        topic.data_bytes += len(data)
        if topic.first is None or log_time < topic.first:
            topic.first = log_time
        if topic.last is None or log_time > topic.last:
            topic.last = log_time
        prev = topic.prev
        # Strictly greater: on a tie the earlier gap stays.
        if prev is not None and log_time - prev > (
            0 if topic.gap is None else topic.gap.duration_ns
        ):
            topic.gap = Gap(start_ns=prev, end_ns=log_time)
        topic.prev = log_time
        summary = self._file
        summary.message_count += 1
        if summary.start_ns is None or log_time < summary.start_ns:
            summary.start_ns = log_time
        if summary.end_ns is None or log_time > summary.end_ns:
            summary.end_ns = log_time
        if channel.decoder:
            try:
                self._decode(channel, log_time, bytes(data))
            except DecodeError as exc:
                self.error(
                    exc.kind,
                    f"{channel.name} message at log_time {log_time}: {exc}",
                    offset,
                    "Message",
                )

    def _decode(self, channel: _Channel, log_time: int, data: bytes) -> None:
        if channel.decoder == _CDR_DIAGNOSTICS:
            for status in decode_cdr_diagnostics(data):
                level = DIAGNOSTIC_LEVELS.get(status.level)
                if level is not None:
                    event = DiagnosticEvent(
                        log_time, status.name, level, status.message, status.hardware_id
                    )
                    self._add_event(self._file.diagnostic_events, event)
            return
        if channel.decoder == _CDR_LOG:
            record = decode_cdr_log(data)
        else:
            record = decode_json_log(data, foxglove=channel.decoder == _JSON_FOXGLOVE_LOG)
        if record.level is None:
            return
        self._file.log_levels[record.level] += 1
        if record.level in ("ERROR", "FATAL"):
            log_event = LogEvent(log_time, record.level, record.node, record.message, channel.name)
            self._add_event(self._file.log_events, log_event)

    def _add_event(self, events: list[_Event], event: _Event) -> None:
        if len(events) < MAX_EVENTS_PER_KIND:
            events.append(event)
        else:
            self._file.dropped_events += 1

    def error(self, kind: ErrorKind, message: str, offset: int | None, record: str | None) -> None:
        """Record a non-fatal error; one slot stays free for the fatal error that may follow."""
        if len(self._file.errors) < MAX_ERRORS - 1:
            self._file.errors.append(ParseError(kind, message, offset, record))

    def fail(self, fatal: Fatal) -> None:
        """Record the error that stopped reading: the summary covers what came before it."""
        self._file.complete = False
        self._file.errors.append(fatal.error)

    def result(self) -> ParsedFile:
        """The summary so far."""
        self._file.topics = {
            name: TopicStats(
                count=t.count,
                bytes=t.data_bytes,
                schema=t.schema,
                message_encoding=t.encoding,
                first_ns=t.first,
                last_ns=t.last,
                max_gap=t.gap,
            )
            for name, t in self._topics.items()
        }
        return self._file
