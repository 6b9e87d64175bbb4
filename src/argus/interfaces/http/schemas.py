"""Request and response bodies of the HTTP API (XCreate / XRead)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from argus.application.ports import BatchOverview
from argus.domain.analysis.feedback import Feedback
from argus.domain.audit import AuditEntry
from argus.domain.log_file import FileStatus, LogFile


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vehicle_id: str = Field(examples=["veh-001"])
    batch_id: str | None = Field(default=None, examples=["batch-101"])


class FileCounts(BaseModel):
    total: int
    uploaded: int
    parsing: int
    parsed: int
    failed: int


class BatchRead(BaseModel):
    batch_id: str
    vehicle_id: str
    status: str
    failure_reason: str | None
    total_files: int
    files: FileCounts
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, overview: BatchOverview) -> BatchRead:
        counts = overview.file_counts
        return cls(
            batch_id=overview.batch_id,
            vehicle_id=overview.vehicle_id,
            status=overview.status.value,
            failure_reason=overview.failure_reason,
            total_files=overview.total_files,
            files=FileCounts(
                total=overview.total_files,
                uploaded=counts[FileStatus.UPLOADED],
                parsing=counts[FileStatus.PARSING],
                parsed=counts[FileStatus.PARSED],
                failed=counts[FileStatus.FAILED],
            ),
            created_at=overview.created_at,
            updated_at=overview.updated_at,
        )


class BatchList(BaseModel):
    items: list[BatchRead]
    total: int
    limit: int
    offset: int


class FileRead(BaseModel):
    file_id: str
    name: str
    size: int
    sha256: str

    @classmethod
    def of(cls, log_file: LogFile) -> FileRead:
        return cls(
            file_id=log_file.file_id, name=log_file.name, size=log_file.size, sha256=log_file.sha256
        )


class CompleteRead(BaseModel):
    batch_id: str
    status: str
    total_files: int


class FeedbackCreate(BaseModel):
    """An engineer's verdict; the rules (a correction names something, known severities,
    note length) are the domain's (`argus.domain.analysis.feedback.Feedback`)."""

    model_config = ConfigDict(extra="forbid")

    verdict: str = Field(examples=["corrected"])
    component: str | None = Field(default=None, examples=["power"])
    root_cause: str | None = Field(default=None, examples=["PDU under-voltage"])
    severity: str | None = Field(default=None, examples=["high"])
    note: str | None = Field(default=None, examples=["brown-out, not the lidar"])

    def to_domain(self) -> Feedback:
        """The domain object; InvalidInput (400) when it breaks a feedback rule."""
        return Feedback.parse(
            verdict=self.verdict,
            component=self.component,
            root_cause=self.root_cause,
            severity=self.severity,
            note=self.note,
        )


class FeedbackRead(BaseModel):
    batch_id: str
    verdict: str
    component: str | None
    root_cause: str | None
    severity: str | None
    note: str
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, batch_id: str, feedback: Feedback) -> FeedbackRead:
        return cls(
            batch_id=batch_id,
            verdict=feedback.verdict.value,
            component=feedback.component,
            root_cause=feedback.root_cause,
            severity=feedback.severity,
            note=feedback.note,
            created_at=feedback.created_at,
            updated_at=feedback.updated_at,
        )


class AuditRead(BaseModel):
    id: int
    at: datetime
    token_id: str
    role: str
    fleet_id: str | None
    action: str
    target: str
    client: str

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditRead:
        assert entry.entry_id is not None and entry.at is not None  # a stored row
        return cls(
            id=entry.entry_id,
            at=entry.at,
            token_id=entry.token_id,
            role=entry.role,
            fleet_id=entry.fleet_id,
            action=entry.action.value,
            target=entry.target,
            client=entry.client,
        )


class AuditPage(BaseModel):
    items: list[AuditRead]
    next_before_id: int | None
