"""The `Batch` aggregate: one drive session's files and the state machine that processes them.

    pending → uploaded → scattering → gathering → diagnosing → completed
                                                             ↘ completed_with_errors
    any state that is not final → failed

The aggregate records the events its transitions cause in `events`; the unit of work
stores them in the outbox in the same transaction as the new state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from argus.domain.errors import Conflict, IllegalTransition
from argus.domain.events import (
    AllFilesParsed,
    BatchStatusChanged,
    BatchUploaded,
    DiagnosisRequested,
    Event,
    FileScattered,
)
from argus.domain.log_file import FileStatus, LogFile
from argus.domain.upload_policy import UploadPolicy


class BatchStatus(StrEnum):
    PENDING = "pending"
    UPLOADED = "uploaded"
    SCATTERING = "scattering"
    GATHERING = "gathering"
    DIAGNOSING = "diagnosing"
    COMPLETED = "completed"
    COMPLETED_WITH_ERRORS = "completed_with_errors"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES


FINAL_STATES = frozenset(
    {BatchStatus.COMPLETED, BatchStatus.COMPLETED_WITH_ERRORS, BatchStatus.FAILED}
)

# How the failure reason of an expired upload starts (clients may match on it).
ABANDONED_UPLOAD = "upload abandoned"

TRANSITIONS: dict[BatchStatus, frozenset[BatchStatus]] = {
    BatchStatus.PENDING: frozenset({BatchStatus.UPLOADED, BatchStatus.FAILED}),
    BatchStatus.UPLOADED: frozenset({BatchStatus.SCATTERING, BatchStatus.FAILED}),
    BatchStatus.SCATTERING: frozenset({BatchStatus.GATHERING, BatchStatus.FAILED}),
    BatchStatus.GATHERING: frozenset({BatchStatus.DIAGNOSING, BatchStatus.FAILED}),
    BatchStatus.DIAGNOSING: frozenset(
        {BatchStatus.COMPLETED, BatchStatus.COMPLETED_WITH_ERRORS, BatchStatus.FAILED}
    ),
    BatchStatus.COMPLETED: frozenset(),
    BatchStatus.COMPLETED_WITH_ERRORS: frozenset(),
    BatchStatus.FAILED: frozenset(),
}


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False)
class Batch:
    """A batch of drive-log files from one vehicle, processed as one unit."""

    batch_id: str
    vehicle_id: str
    status: BatchStatus = BatchStatus.PENDING
    files: list[LogFile] = field(default_factory=list)
    failure_reason: str | None = None
    created_at: datetime = field(default_factory=_now)
    updated_at: datetime = field(default_factory=_now)
    version: int = 0
    # The tenant: the fleet of the vehicle (argus.domain.identity); never changes.
    fleet_id: str = "default"
    events: list[Event] = field(default_factory=list, repr=False)

    def can_move_to(self, target: BatchStatus) -> bool:
        """True when the state machine allows `status → target`."""
        return target in TRANSITIONS[self.status]

    def _move(self, target: BatchStatus, *, reason: str | None = None) -> None:
        if not self.can_move_to(target):
            raise IllegalTransition(
                f"batch {self.batch_id} cannot go from {self.status} to {target}"
            )
        previous = self.status
        self.status = target
        self.updated_at = _now()
        self.events.append(
            BatchStatusChanged(
                batch_id=self.batch_id, status=target.value, previous=previous.value, reason=reason
            )
        )

    def check_accepts_files(self) -> None:
        """Raise Conflict unless files may be added: only while the batch is pending."""
        if self.status is not BatchStatus.PENDING:
            reason = f" ({self.failure_reason})" if self.failure_reason else ""
            raise Conflict(
                f"batch {self.batch_id} is {self.status}{reason};"
                " files can only be added while pending"
            )

    def add_file(self, new: LogFile, policy: UploadPolicy | None = None) -> LogFile | None:
        """Record an uploaded file as `policy` allows (by default a same-name file is a
        conflict); returns the file it replaced, if any."""
        self.check_accepts_files()
        replaced = (policy or UploadPolicy()).admit(self.files, new.name, new.size)
        self.updated_at = _now()  # an upload is activity: see abandon_upload
        if replaced is not None:
            self.files[self.files.index(replaced)] = new
        else:
            self.files.append(new)
        return replaced

    def complete_upload(self) -> bool:
        """Close the upload phase; False (and no event) when it was already closed."""
        if self.status is not BatchStatus.PENDING:
            if self.status is BatchStatus.FAILED:
                raise Conflict(f"batch {self.batch_id} has failed: {self.failure_reason}")
            return False
        if not self.files:
            raise Conflict(
                f"batch {self.batch_id} has no files; upload at least one before completing"
            )
        self._move(BatchStatus.UPLOADED)
        self.events.append(
            BatchUploaded(
                batch_id=self.batch_id, vehicle_id=self.vehicle_id, total_files=len(self.files)
            )
        )
        return True

    def scatter(self) -> bool:
        """Hand every file to the parsers; False when the batch was already scattered."""
        if self.status is not BatchStatus.UPLOADED:
            return False
        self._move(BatchStatus.SCATTERING)
        for log_file in self.files:
            log_file.start_parsing()
            self.events.append(
                FileScattered(
                    batch_id=self.batch_id,
                    file_id=log_file.file_id,
                    file_name=log_file.name,
                    blob_key=log_file.blob_key,
                )
            )
        return True

    def open_barrier(self) -> bool:
        """Every file has a result: start gathering; False if that already happened."""
        if self.status is not BatchStatus.SCATTERING:
            return False
        unfinished = [f.name for f in self.files if not f.status.is_final]
        if unfinished:
            raise Conflict(f"batch {self.batch_id} still has unparsed files: {unfinished[:5]}")
        self._move(BatchStatus.GATHERING)
        self.events.append(
            AllFilesParsed(
                batch_id=self.batch_id,
                parsed_files=self.count(FileStatus.PARSED),
                failed_files=self.count(FileStatus.FAILED),
            )
        )
        return True

    def start_diagnosis(self) -> bool:
        """The gather stage stored its report: ask for the diagnosis; False if already asked."""
        if self.status is not BatchStatus.GATHERING:
            return False
        self._move(BatchStatus.DIAGNOSING)
        self.events.append(DiagnosisRequested(batch_id=self.batch_id, vehicle_id=self.vehicle_id))
        return True

    def finish(self) -> bool:
        """The diagnosis is stored: the batch is done, with errors if any file failed.

        False for a batch that has already ended (a redelivery). Any other state raises
        IllegalTransition: a diagnosis is only requested once the batch is `diagnosing`.
        """
        if self.status.is_final:
            return False
        failed = self.count(FileStatus.FAILED)
        if failed:
            self._move(
                BatchStatus.COMPLETED_WITH_ERRORS, reason=f"{failed} file(s) could not be parsed"
            )
        else:
            self._move(BatchStatus.COMPLETED)
        return True

    def fail(self, reason: str) -> bool:
        """Give up on the batch; False if it had already ended."""
        if self.status.is_final:
            return False
        self.failure_reason = reason
        self._move(BatchStatus.FAILED, reason=reason)
        return True

    def abandon_upload(self, idle_since: datetime) -> bool:
        """Fail a batch still pending with no upload since before `idle_since`; else False.

        An uploader that opens a batch and never completes it would otherwise leave it pending
        forever, its files stored for nothing.
        """
        if self.status is not BatchStatus.PENDING or self.updated_at >= idle_since:
            return False
        return self.fail(
            f"{ABANDONED_UPLOAD}: not completed, last upload activity at "
            f"{self.updated_at.isoformat(timespec='seconds')}"
        )

    def count(self, status: FileStatus) -> int:
        """How many files are in `status`."""
        return sum(1 for f in self.files if f.status is status)

    def file(self, file_id: str) -> LogFile | None:
        """The file with this id, if it belongs to the batch."""
        return next((f for f in self.files if f.file_id == file_id), None)

    def pull_events(self) -> list[Event]:
        """Hand over (and forget) the events recorded since the last call."""
        events, self.events = self.events, []
        return events
