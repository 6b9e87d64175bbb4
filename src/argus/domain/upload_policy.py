"""What an upload may do to a batch: replace a file of the same name, and how big the batch
may grow. Decided before the bytes stream (to refuse early) and again under the batch's row
lock when the file is recorded (concurrent uploads); design: docs/decisions/0026-request-limits.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from argus.domain.errors import (
    BatchTooLarge,
    FileExists,
    InvalidInput,
    PreconditionFailed,
    TooManyFiles,
    TooManyOpenBatches,
)
from argus.domain.log_file import LogFile

_SHA256_HEX = frozenset("0123456789abcdef")
ANY_FILE = "*"


@dataclass(frozen=True)
class BatchLimits:
    """Per-batch quotas; None means unlimited."""

    max_files: int | None = None
    max_bytes: int | None = None
    max_open_per_vehicle: int | None = None

    def check_may_open(self, *, vehicle_id: str, open_batches: int) -> None:
        """Raise TooManyOpenBatches when the vehicle already has its quota of pending batches."""
        limit = self.max_open_per_vehicle
        if limit is not None and open_batches >= limit:
            raise TooManyOpenBatches(
                f"vehicle {vehicle_id} has {open_batches} pending batches, the limit is {limit};"
                " complete one before opening another"
            )


@dataclass(frozen=True)
class UploadPolicy:
    """How one upload treats a same-name file (refuse, replace, or replace if it matches)
    and the batch limits it must respect."""

    replace: bool = False
    if_match: str | None = None  # the sha256 the stored file must have, or ANY_FILE
    limits: BatchLimits = field(default_factory=BatchLimits)

    @classmethod
    def of_request(
        cls, *, replace: bool, if_match: str | None, limits: BatchLimits
    ) -> UploadPolicy:
        """From `?replace=true` and an `If-Match: "<sha256>"` (or `*`) header."""
        return cls(replace=replace, if_match=_entity_tag(if_match), limits=limits)

    def admit(self, files: Sequence[LogFile], name: str, size: int) -> LogFile | None:
        """The file this upload replaces (None for a new name); raises when it may not."""
        existing = next((f for f in files if f.name == name), None)
        if self.if_match is not None:
            if existing is None:
                raise PreconditionFailed(f"If-Match given but the batch has no file {name!r}")
            if self.if_match not in (ANY_FILE, existing.sha256):
                raise PreconditionFailed(
                    f"file {name!r} has sha256 {existing.sha256}, not {self.if_match}"
                )
        elif existing is not None and not self.replace:
            raise FileExists(
                f'the batch already has a file {name!r}; send If-Match: "{existing.sha256}"'
                " or ?replace=true to replace it"
            )
        count = len(files) + (0 if existing is not None else 1)
        if self.limits.max_files is not None and count > self.limits.max_files:
            raise TooManyFiles(f"a batch holds at most {self.limits.max_files} files")
        room = self.room(files, existing)
        if room is not None and size > room:
            raise BatchTooLarge(
                f"the batch would hold more than {self.limits.max_bytes} bytes"
                f" ({room} left for this file)"
            )
        return existing

    def room(self, files: Sequence[LogFile], replaced: LogFile | None) -> int | None:
        """Bytes this upload may still add (a replaced file's bytes are freed); None: no cap."""
        if self.limits.max_bytes is None:
            return None
        used = sum(f.size for f in files) - (replaced.size if replaced is not None else 0)
        return max(0, self.limits.max_bytes - used)


def _entity_tag(value: str | None) -> str | None:
    if value is None:
        return None
    tag = value.strip()
    if tag == ANY_FILE:
        return ANY_FILE
    if len(tag) >= 2 and tag[0] == tag[-1] == '"':
        tag = tag[1:-1]
    tag = tag.lower()
    if len(tag) != 64 or not set(tag) <= _SHA256_HEX:
        raise InvalidInput('If-Match must be "*" or the quoted sha256 of the stored file')
    return tag
