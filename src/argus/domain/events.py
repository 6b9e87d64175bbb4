"""Domain events: small frozen dataclasses with an id, a timestamp and a schema version.

The wire format (docs/schemas/events.md) is `{"type", "schema_version", "event_id",
"occurred_at", "data": {...}}`; adapters serialise with `event_to_wire` / `event_from_wire`.
Each event names its `family` (one stream or topic per family) and a `partition_key`:
batch-level events are keyed by batch so their order is kept per batch, while
`FileScattered` is keyed by file so one batch's files spread over partitions and parse in
parallel.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar

from argus.domain.errors import InvalidInput

SCHEMA_VERSION = 1


def _new_event_id() -> str:
    return uuid.uuid4().hex


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


class Family:
    """Event families: one stream (Redis) or topic (Kafka) each."""

    BATCH = "batch"  # lifecycle of a batch; consumed by the orchestrator and workers
    SCATTER = "scatter"  # work items for parser workers
    PARSE_RESULTS = "parse-results"  # outcomes of parsing, consumed by the orchestrator

    ALL: ClassVar[tuple[str, ...]] = (BATCH, SCATTER, PARSE_RESULTS)


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every domain event."""

    family: ClassVar[str] = Family.BATCH
    batch_id: str
    event_id: str = field(default_factory=_new_event_id)
    occurred_at: str = field(default_factory=_now_iso)

    @property
    def partition_key(self) -> str:
        return self.batch_id


@dataclass(frozen=True, kw_only=True)
class BatchUploaded(Event):
    """The uploader completed the batch: every file is in storage."""

    vehicle_id: str
    total_files: int


@dataclass(frozen=True, kw_only=True)
class FileScattered(Event):
    """One file handed to the parser workers."""

    family: ClassVar[str] = Family.SCATTER
    file_id: str
    file_name: str
    blob_key: str

    @property
    def partition_key(self) -> str:
        return self.file_id


@dataclass(frozen=True, kw_only=True)
class FileParsed(Event):
    """A parser worker stored the summary of one file."""

    family: ClassVar[str] = Family.PARSE_RESULTS
    file_id: str
    summary_key: str
    message_count: int
    engine: str


@dataclass(frozen=True, kw_only=True)
class FileParseFailed(Event):
    """A file could not be parsed (corrupt, truncated, or retries exhausted)."""

    family: ClassVar[str] = Family.PARSE_RESULTS
    file_id: str
    reason: str
    summary_key: str | None = None


@dataclass(frozen=True, kw_only=True)
class AllFilesParsed(Event):
    """The barrier opened: every file of the batch is parsed or failed."""

    parsed_files: int
    failed_files: int


@dataclass(frozen=True, kw_only=True)
class BatchGathered(Event):
    """The aggregator stored the batch summary and its Top-K anomalies."""

    vehicle_id: str
    anomaly_count: int


@dataclass(frozen=True, kw_only=True)
class DiagnosisRequested(Event):
    """The batch entered `diagnosing`: its gathered report waits for a diagnosis."""

    vehicle_id: str


@dataclass(frozen=True, kw_only=True)
class DiagnosisCompleted(Event):
    """The diagnosis of a batch is stored."""

    component: str
    severity: str


@dataclass(frozen=True, kw_only=True)
class BatchStatusChanged(Event):
    """The batch moved from one state to another (drives live progress)."""

    status: str
    previous: str | None
    reason: str | None = None


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        BatchUploaded,
        FileScattered,
        FileParsed,
        FileParseFailed,
        AllFilesParsed,
        BatchGathered,
        DiagnosisRequested,
        DiagnosisCompleted,
        BatchStatusChanged,
    )
}

# Wire names of renamed events, still read so that messages already in a stream or topic
# during an upgrade are handled; never written (docs/schemas/events.md).
LEGACY_WIRE_NAMES: dict[str, type[Event]] = {"BatchCreated": BatchUploaded}

_ENVELOPE = ("event_id", "occurred_at")


def event_to_wire(event: Event) -> dict[str, Any]:
    """The documented JSON envelope of an event."""
    data = {f.name: getattr(event, f.name) for f in fields(event) if f.name not in _ENVELOPE}
    return {
        "type": type(event).__name__,
        "schema_version": SCHEMA_VERSION,
        "event_id": event.event_id,
        "occurred_at": event.occurred_at,
        "data": data,
    }


def event_from_wire(wire: dict[str, Any]) -> Event:
    """Rebuild an event from its envelope; unknown types or fields raise InvalidInput."""
    try:
        cls = EVENT_TYPES.get(wire["type"]) or LEGACY_WIRE_NAMES[wire["type"]]
        if wire["schema_version"] != SCHEMA_VERSION:
            raise InvalidInput(f"unsupported event schema_version {wire['schema_version']}")
        return cls(event_id=wire["event_id"], occurred_at=wire["occurred_at"], **wire["data"])
    except (KeyError, TypeError) as exc:
        raise InvalidInput(f"malformed event envelope: {exc}") from exc
