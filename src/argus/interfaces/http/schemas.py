"""Request and response bodies of the HTTP API (XCreate / XRead)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from argus.application.ports import BatchOverview
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
