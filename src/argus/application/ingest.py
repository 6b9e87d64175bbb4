"""Write path, phase one: open a batch, stream its files to storage, complete it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from argus.application.ports import BatchRepository, BlobStore
from argus.domain.batch import Batch
from argus.domain.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from argus.domain.identifiers import new_batch_id, new_file_id, validate_file_name, validate_id
from argus.domain.log_file import LogFile
from argus.domain.upload_policy import BatchLimits, UploadPolicy

_SHA256_HEX_LENGTH = 64


def blob_key_for(batch_id: str, file_id: str) -> str:
    """Object keys come from server ids only, never from a client's file name."""
    return f"batches/{batch_id}/files/{file_id}.mcap"


@dataclass(frozen=True)
class IngestLimits:
    max_file_bytes: int
    batch: BatchLimits = field(default_factory=BatchLimits)


class IngestService:
    """Use cases of the uploader: create, upload, complete."""

    def __init__(self, *, batches: BatchRepository, blobs: BlobStore, limits: IngestLimits) -> None:
        self._batches = batches
        self._blobs = blobs
        self._limits = limits

    async def create_batch(
        self, *, vehicle_id: str, batch_id: str | None, fleet_id: str
    ) -> tuple[Batch, bool]:
        """Open a batch in `fleet_id`; the same id for the same vehicle returns the existing one."""
        validate_id(vehicle_id, what="vehicle_id")
        chosen = validate_id(batch_id, what="batch_id") if batch_id is not None else new_batch_id()
        batch, created = await self._batches.create(
            Batch(batch_id=chosen, vehicle_id=vehicle_id, fleet_id=fleet_id),
            limits=self._limits.batch,
        )
        if batch.vehicle_id != vehicle_id:
            # Not naming the owner: it may be another fleet's vehicle.
            raise Conflict(f"batch id {chosen} is already in use")
        return batch, created

    async def upload_file(
        self,
        *,
        batch_id: str,
        file_name: str,
        body: AsyncIterator[bytes],
        content_length: int | None,
        expected_sha256: str | None,
        replace: bool = False,
        if_match: str | None = None,
    ) -> LogFile:
        """Stream one file into storage, then record it on the batch (or leave nothing).

        A file name already in the batch is a conflict unless `replace` or `if_match` (the
        stored file's sha256, or `*`) says to replace it; the old blob goes after the commit.
        """
        validate_file_name(file_name)
        checksum = _normalise_checksum(expected_sha256)
        policy = UploadPolicy.of_request(
            replace=replace, if_match=if_match, limits=self._limits.batch
        )
        if content_length is not None and content_length > self._limits.max_file_bytes:
            raise PayloadTooLarge(
                f"file is {content_length} bytes; the limit is {self._limits.max_file_bytes}"
            )
        # Checked before streaming (no gigabytes into a closed or full batch, no bytes for a
        # refused replacement), and decided again by the same domain rules under the row
        # lock when the file is recorded.
        batch = await self._get(batch_id)
        batch.check_accepts_files()
        replaced = policy.admit(batch.files, file_name, content_length or 0)
        room = policy.room(batch.files, replaced)
        file_id = new_file_id()
        stored = await self._blobs.put_stream(
            blob_key_for(batch_id, file_id),
            body,
            max_bytes=self._limits.max_file_bytes
            if room is None
            else min(room, self._limits.max_file_bytes),
            expected_sha256=checksum,
        )
        log_file = LogFile(
            file_id=file_id,
            name=file_name,
            size=stored.size,
            sha256=stored.sha256,
            blob_key=stored.key,
        )
        try:
            replaced = await self._batches.add_file(batch_id, log_file, policy=policy)
        except BaseException:
            # The batch changed state while we streamed: keep storage and database in step.
            await self._blobs.delete(stored.key)
            raise
        if replaced is not None:
            await self._blobs.delete(replaced.blob_key)
        return log_file

    async def complete(self, batch_id: str) -> Batch:
        """Close the upload phase; emits `BatchUploaded` once, however often it is called."""
        await self._batches.mutate(batch_id, lambda batch: batch.complete_upload())
        return await self._get(batch_id)

    async def _get(self, batch_id: str) -> Batch:
        batch = await self._batches.get(batch_id)
        if batch is None:
            raise NotFound(f"batch {batch_id} not found")
        return batch


def _normalise_checksum(value: str | None) -> str | None:
    if value is None:
        return None
    checksum = value.strip().lower()
    if len(checksum) != _SHA256_HEX_LENGTH or any(c not in "0123456789abcdef" for c in checksum):
        raise InvalidInput("X-Checksum-SHA256 must be 64 hexadecimal characters")
    return checksum
