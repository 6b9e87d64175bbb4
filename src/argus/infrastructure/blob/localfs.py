"""Blob store on the local filesystem (the embedded mode's object storage).

Writes go to a temporary file in the same filesystem and are renamed into place only after
the whole body arrived and its checksum matched: a reader never sees a partial object and a
failed upload leaves nothing behind. Keys are server-made; they are still checked so no key
can leave the root. The root is the owner's alone (0700): drive logs hold where a vehicle was.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from argus.application.ports import StoredBlob
from argus.domain.errors import IntegrityError, InvalidInput, NotFound, PayloadTooLarge
from argus.infrastructure.blob.file_writer import HashingFileWriter, publish, storage_error
from argus.infrastructure.private_dirs import make_private

log = logging.getLogger(__name__)

# Chunks are gathered into ~1 MiB before a thread hop: one writev per batch, few hops, bounded
# memory (decision 0034 measured 1 and 4 MiB).
_WRITE_BATCH_BYTES = 1 << 20


class LocalFsBlobStore:
    """Objects as files under `root`; `root/.incoming` holds uploads in progress."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()
        self._incoming = self._root / ".incoming"
        for private in (self._root, self._incoming):
            make_private(private)

    def path_of(self, key: str) -> Path:
        """The file behind `key` (for tests and tools)."""
        path = (self._root / key).resolve()
        if self._root not in path.parents or key.startswith(".incoming"):
            raise InvalidInput(f"invalid object key {key!r}")
        return path

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterator[bytes],
        *,
        max_bytes: int,
        expected_sha256: str | None = None,
    ) -> StoredBlob:
        target = self.path_of(key)
        temp = self._incoming / f"{uuid.uuid4().hex}.part"
        writer: HashingFileWriter | None = None
        # The thread job now running on `writer` (a cancelled await does not stop a thread, so
        # cleaning up waits for it) and whether it may have renamed the file into place.
        running: asyncio.Future[Any] | None = None
        publishing = False
        try:
            try:
                writer = HashingFileWriter(temp)
                loop = asyncio.get_running_loop()
                pending: list[bytes] = []
                pending_bytes = size = 0
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise PayloadTooLarge(f"file exceeds the limit of {max_bytes} bytes")
                    pending.append(chunk)
                    pending_bytes += len(chunk)
                    if pending_bytes >= _WRITE_BATCH_BYTES:
                        # One batch in the thread while the loop gathers the next: receiving,
                        # hashing and writing overlap; memory stays at two batches per upload.
                        if running is not None:
                            await running
                        running = loop.run_in_executor(None, writer.write, pending)
                        pending, pending_bytes = [], 0
                if running is not None:
                    await running
                running = loop.run_in_executor(None, writer.finish, pending)
                size, sha256 = await running
                if expected_sha256 is not None and sha256 != expected_sha256:
                    raise IntegrityError(
                        f"checksum mismatch: the body hashes to {sha256}, not {expected_sha256}"
                    )
                publishing = True
                running = loop.run_in_executor(None, publish, temp, target)
                await running
            except OSError as exc:  # disk full, read-only, I/O error: a domain error (503)
                raise storage_error(exc) from exc
        except BaseException:
            # Cancelled (client went away), too large, bad checksum, disk full: leave nothing.
            # A thread cannot be stopped: let its job (one batch) end, then clean up; cancelled
            # again meanwhile, the clean-up runs when the job ends.
            try:
                if running is not None and not running.done():
                    await asyncio.wait({running})
            finally:
                _abandon(writer, running, [temp, target] if publishing else [temp])
            raise
        return StoredBlob(key=key, size=size, sha256=sha256)

    async def put_bytes(self, key: str, data: bytes) -> None:
        target = self.path_of(key)
        temp = self._incoming / f"{uuid.uuid4().hex}.part"
        try:
            try:
                await asyncio.to_thread(_write_file, temp, data)
                await asyncio.to_thread(publish, temp, target)
            except OSError as exc:
                raise storage_error(exc) from exc
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    async def get_bytes(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self.path_of(key).read_bytes)
        except FileNotFoundError as exc:
            raise NotFound(f"object {key} not found") from exc

    def open_reader(self, key: str) -> BinaryIO:
        try:
            return open(self.path_of(key), "rb")
        except FileNotFoundError as exc:
            raise NotFound(f"object {key} not found") from exc

    async def delete(self, key: str) -> None:
        self.path_of(key).unlink(missing_ok=True)

    async def exists(self, key: str) -> bool:
        return self.path_of(key).is_file()

    async def purge_partial_uploads(self, older_than: datetime) -> int:
        # A write in progress touches its temp file at least every ~1 MiB, so an old mtime
        # means its writer is gone (killed, or the process crashed mid-upload).
        return await asyncio.to_thread(_remove_untouched, self._incoming, older_than.timestamp())

    def incoming_count(self) -> int:
        """Uploads in progress (or leaked): tests assert failed uploads leave none."""
        return sum(1 for _ in self._incoming.iterdir())


def _remove_untouched(folder: Path, before: float) -> int:
    removed = 0
    for entry in folder.glob("*.part"):
        try:
            if entry.stat().st_mtime < before:
                entry.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # finished (renamed) or removed by another sweeper meanwhile
    return removed


def _abandon(
    writer: HashingFileWriter | None, running: asyncio.Future[Any] | None, paths: list[Path]
) -> None:
    """Close the temp file and remove `paths`, once no thread works on them any more."""

    def clean_up() -> None:
        if writer is None:
            return  # the temp file was never opened (O_EXCL): nothing of ours to remove
        # Best effort: a read-only or failing filesystem refuses these too (EROFS before
        # ENOENT), and that must not replace the upload's own error with a raw OSError.
        try:
            writer.close()
        except OSError as exc:
            log.warning("closing an abandoned upload's temp file failed: %r", exc)
        for path in paths:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("removing abandoned upload file %s failed: %r", path, exc)

    def after(job: asyncio.Future[Any]) -> None:
        if not job.cancelled():
            job.exception()  # retrieved: the upload already failed for its own reason
        clean_up()

    if running is None or running.done():
        clean_up()
    else:
        running.add_done_callback(after)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
