"""Ports: what the application needs from the outside world, as Protocols.

Every port has a real adapter in `argus.infrastructure` and an in-memory fake in
`tests/fakes`; the contract tests in tests/contract run against both.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, Protocol, TypeVar

# Handler and GiveUp live with the delivery policy that calls them; re-exported for the roles.
from argus.application.delivery import DeliveryPolicy
from argus.application.delivery import GiveUp as GiveUp
from argus.application.delivery import Handler as Handler
from argus.domain.analysis import Anomaly, BatchSummary, Diagnosis
from argus.domain.analysis.feedback import Feedback
from argus.domain.batch import Batch, BatchStatus
from argus.domain.events import Event
from argus.domain.identity import Owner
from argus.domain.log_file import FileStatus, LogFile
from argus.domain.parsed_file import ParsedFile
from argus.domain.upload_policy import BatchLimits, UploadPolicy

NO_LIMITS = BatchLimits()

T = TypeVar("T")


@dataclass(frozen=True)
class BatchOverview:
    """A batch without its file list: state plus file counts (status and list endpoints)."""

    batch_id: str
    vehicle_id: str
    status: BatchStatus
    failure_reason: str | None
    created_at: datetime
    updated_at: datetime
    file_counts: dict[FileStatus, int]

    @property
    def total_files(self) -> int:
        return sum(self.file_counts.values())


@dataclass(frozen=True)
class BatchPage:
    items: list[BatchOverview]
    total: int


class BatchRepository(Protocol):
    """PostgreSQL holds the facts: batches, files, outbox and processed events."""

    async def create(self, batch: Batch, *, limits: BatchLimits = NO_LIMITS) -> tuple[Batch, bool]:
        """Insert `batch`, or return the existing one with the same id; bool = created.
        A new batch is refused while its vehicle has `limits`' quota of pending batches."""

    async def get(self, batch_id: str) -> Batch | None:
        """The batch with its files, or None."""

    async def add_file(
        self, batch_id: str, log_file: LogFile, *, policy: UploadPolicy | None = None
    ) -> LogFile | None:
        """Record an uploaded file under the batch lock as `policy` allows (the domain rule);
        returns a replaced file, if any."""

    async def mutate(self, batch_id: str, change: Callable[[Batch], T]) -> T:
        """Apply `change` to the locked batch and store the result and its events atomically."""

    async def record_file_result(
        self,
        batch_id: str,
        file_id: str,
        *,
        parsed: bool,
        summary_key: str | None,
        reason: str | None,
    ) -> bool:
        """Store the first outcome of a file (no batch lock); False for duplicates."""

    async def finished_file_ids(self, batch_id: str) -> tuple[int, list[str]]:
        """(total files, ids of files parsed or failed): the truth the barrier is rebuilt from."""

    async def list_batches(
        self,
        *,
        vehicle_id: str | None,
        status: BatchStatus | None,
        limit: int,
        offset: int,
        fleet_id: str | None = None,
    ) -> BatchPage:
        """Batches newest first, without their files; None filters match everything."""

    async def overview(self, batch_id: str) -> BatchOverview | None:
        """State and file counts of one batch, or None."""

    async def owner(self, batch_id: str) -> Owner | None:
        """The fleet and vehicle a batch belongs to (they never change), or None."""

    async def abandoned_uploads(self, idle_since: datetime, limit: int) -> list[str]:
        """Ids of pending batches last touched before `idle_since`, oldest first."""

    async def was_processed(self, consumer: str, event_id: str) -> bool:
        """True if `consumer` already handled `event_id` (to skip redelivered work)."""

    async def mark_processed(self, consumer: str, event_id: str) -> bool:
        """Remember that `consumer` handled `event_id`; False if it already had."""


@dataclass(frozen=True)
class ReportRecord:
    """What the read path serves: the batch state plus, once finished, its report."""

    batch_id: str
    vehicle_id: str
    status: BatchStatus
    failure_reason: str | None
    summary: BatchSummary | None
    anomalies: tuple[Anomaly, ...] | None
    diagnosis: Diagnosis | None
    feedback: Feedback | None = None


class ReportRepository(Protocol):
    async def save_gathered(
        self,
        batch_id: str,
        *,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        event: Event,
    ) -> bool:
        """Store the gather result and its event in one transaction; False if already stored."""

    async def save_diagnosis(self, batch_id: str, *, diagnosis: Diagnosis, event: Event) -> bool:
        """Store the diagnosis and its event in one transaction; False if already stored."""

    async def load(self, batch_id: str) -> ReportRecord | None:
        """One read of everything the report endpoint shows; None for an unknown batch."""


class FeedbackRepository(Protocol):
    """Engineers' feedback on diagnoses: one per batch, the latest wins."""

    async def save(self, batch_id: str, feedback: Feedback) -> tuple[Feedback, bool]:
        """Store (or replace) the batch's feedback; the stored one, and True if it is the first.

        NotFound for an unknown batch, Conflict for a batch without a diagnosis yet.
        """


class Outbox(Protocol):
    """Events written in the same transaction as the state they describe."""

    async def claim(self, limit: int) -> list[tuple[int, Event]]:
        """Unpublished events, oldest first, locked against other relays."""

    async def mark_published(self, ids: Sequence[int]) -> None:
        """Forget events the bus has accepted."""

    async def wait_for_new(self, timeout_s: float) -> None:
        """Return when new events may be there (or after `timeout_s`)."""


@dataclass(frozen=True)
class StoredBlob:
    key: str
    size: int
    sha256: str


class BlobStore(Protocol):
    """Object storage for uploaded files and parse summaries. Writes are all-or-nothing."""

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterator[bytes],
        *,
        max_bytes: int,
        expected_sha256: str | None = None,
    ) -> StoredBlob:
        """Stream `chunks` into `key`; on any error nothing is left behind."""

    async def put_bytes(self, key: str, data: bytes) -> None:
        """Store a small object atomically."""

    async def get_bytes(self, key: str) -> bytes:
        """Read a small object whole; NotFound if absent."""

    def open_reader(self, key: str) -> BinaryIO:
        """A blocking, streaming reader for parser threads; NotFound if absent."""

    async def delete(self, key: str) -> None:
        """Remove `key`; absent keys are fine."""

    async def exists(self, key: str) -> bool:
        """True if `key` is stored."""

    async def purge_partial_uploads(self, older_than: datetime) -> int:
        """Remove writes left unfinished since before `older_than`; returns how many.

        Temp files or multipart uploads whose writer died: a write that ends, well or badly,
        leaves none (see `put_stream`).
        """


class EventPublisher(Protocol):
    async def publish(self, events: Sequence[Event]) -> None:
        """Hand events to the bus; returns once the bus has stored them."""


class EventConsumer(Protocol):
    """A member of a consumer group; each event goes to one member of each group."""

    async def run(
        self, handler: Handler, *, stop: asyncio.Event, on_give_up: GiveUp | None = None
    ) -> None:
        """Deliver events to `handler` until `stop` is set, each under the consumer's
        `DeliveryPolicy` (argus.application.delivery); ack only after it returns."""


class EventBus(EventPublisher, Protocol):
    def consumer(
        self,
        *,
        group: str,
        families: Sequence[str],
        name: str,
        concurrency: int,
        delivery: DeliveryPolicy,
    ) -> EventConsumer:
        """A consumer in `group` reading `families`."""


@dataclass(frozen=True)
class BarrierCount:
    finished: int
    total: int

    @property
    def is_open(self) -> bool:
        return self.finished >= self.total


class Barrier(Protocol):
    """Counts finished files per batch; idempotent per file id. Not the source of truth."""

    async def prepare(self, batch_id: str, total: int) -> None:
        """Create the counter for a batch of `total` files."""

    async def arrive(self, batch_id: str, file_id: str) -> BarrierCount | None:
        """Count `file_id` once; None when the counter was lost and must be rebuilt."""

    async def rebuild(self, batch_id: str, total: int, finished_file_ids: Sequence[str]) -> None:
        """Restore a lost counter from the facts in PostgreSQL."""


class ReportCache(Protocol):
    async def get(self, batch_id: str) -> bytes | None: ...

    async def set(self, batch_id: str, payload: bytes) -> None: ...

    async def delete(self, batch_id: str) -> None: ...


@dataclass(frozen=True)
class ProgressEntry:
    entry_id: str
    data: dict[str, Any]


class ProgressChannel(Protocol):
    """Per-batch, replayable stream of progress events (for Server-Sent Events)."""

    async def append(self, batch_id: str, *, event_id: str, data: dict[str, Any]) -> bool:
        """Append once per `event_id`; False for a duplicate."""

    async def read(self, batch_id: str, *, after: str | None, block_ms: int) -> list[ProgressEntry]:
        """Entries after `after` (all if None), waiting up to `block_ms` for new ones."""

    async def last_id(self, batch_id: str) -> str | None:
        """The id of the newest entry, or None when the stream is empty or gone."""


class Parser(Protocol):
    engine: str

    def parse(self, source: BinaryIO) -> ParsedFile:
        """Summarise one MCAP stream; never raises for bad input (errors go in the summary)."""
