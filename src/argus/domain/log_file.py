"""A drive-log file of a batch, with its own small life cycle."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FileStatus(StrEnum):
    UPLOADED = "uploaded"
    PARSING = "parsing"
    PARSED = "parsed"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self in (FileStatus.PARSED, FileStatus.FAILED)


@dataclass(eq=False)
class LogFile:
    """One uploaded file: where its bytes are, what parsing made of it."""

    file_id: str
    name: str
    size: int
    sha256: str
    blob_key: str
    status: FileStatus = FileStatus.UPLOADED
    failure_reason: str | None = None
    summary_key: str | None = None

    def start_parsing(self) -> None:
        """The file was handed to the parsers."""
        if self.status is FileStatus.UPLOADED:
            self.status = FileStatus.PARSING

    def record_result(self, *, parsed: bool, summary_key: str | None, reason: str | None) -> bool:
        """Store the first parse outcome; later (duplicate) outcomes change nothing."""
        if self.status.is_final:
            return False
        self.status = FileStatus.PARSED if parsed else FileStatus.FAILED
        self.summary_key = summary_key
        self.failure_reason = None if parsed else reason
        return True
