"""Blob store on the local filesystem (the embedded mode's object storage).

Writes go to a temporary file in the same filesystem and are renamed into place only after
the whole body arrived and its checksum matched: a reader never sees a partial object and a
failed upload leaves nothing behind. Keys are server-made; they are still checked so no key
can leave the root.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from argus.application.ports import StoredBlob
from argus.domain.errors import IntegrityError, InvalidInput, NotFound, PayloadTooLarge

# Writes are gathered into ~1 MiB before a thread hop: fewer hops, bounded memory.
_WRITE_BUFFER_BYTES = 1 << 20


class LocalFsBlobStore:
    """Objects as files under `root`; `root/.incoming` holds uploads in progress."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()
        self._incoming = self._root / ".incoming"
        self._incoming.mkdir(parents=True, exist_ok=True)

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
        digest = hashlib.sha256()
        size = 0
        try:
            # Opening is cheap; the writes themselves go to a thread in ~1 MiB batches.
            with open(temp, "wb") as out:  # noqa: ASYNC230
                pending: list[bytes] = []
                pending_bytes = 0
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise PayloadTooLarge(f"file exceeds the limit of {max_bytes} bytes")
                    pending.append(chunk)
                    pending_bytes += len(chunk)
                    if pending_bytes >= _WRITE_BUFFER_BYTES:
                        await asyncio.to_thread(_write_and_hash, out, digest, pending)
                        pending, pending_bytes = [], 0
                await asyncio.to_thread(_write_and_hash, out, digest, pending)
                await asyncio.to_thread(os.fsync, out.fileno())
            sha256 = digest.hexdigest()
            if expected_sha256 is not None and sha256 != expected_sha256:
                raise IntegrityError(
                    f"checksum mismatch: the body hashes to {sha256}, not {expected_sha256}"
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, target)
        except BaseException:
            # Cancelled (client went away), too large, bad checksum: leave nothing behind.
            temp.unlink(missing_ok=True)
            raise
        return StoredBlob(key=key, size=size, sha256=sha256)

    async def put_bytes(self, key: str, data: bytes) -> None:
        target = self.path_of(key)
        temp = self._incoming / f"{uuid.uuid4().hex}.part"
        try:
            await asyncio.to_thread(_write_file, temp, data)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, target)
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


def _write_and_hash(out: BinaryIO, digest: hashlib._Hash, chunks: list[bytes]) -> None:
    for chunk in chunks:
        digest.update(chunk)
        out.write(chunk)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
