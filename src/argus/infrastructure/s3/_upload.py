"""One `put_stream`: a multipart upload fed straight from the body, aborted on any failure.

Bytes are gathered into parts of `part_size` and each part is sent as soon as it fills, so
memory stays at about one part per upload. The SHA-256 is computed alongside and checked
before the upload is completed: a body that fails the check never becomes an object. A body
that fits in one part is sent with a single PutObject after the check instead.

Both hashes run in one worker-thread hop per part (hashlib and zlib release the GIL): the
whole-body SHA-256, and each request's CRC32, which S3 verifies on arrival. Given the CRC32,
botocore neither computes its own nor (with payload signing off) a SHA-256 for the
signature, both of which it would otherwise do on the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import logging
import zlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from argus.application.ports import StoredBlob
from argus.domain.errors import IntegrityError, PayloadTooLarge
from argus.infrastructure.s3._errors import translated

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef

log = logging.getLogger(__name__)

# S3 numbers parts 1..10,000; an upload needing more fails at part 10,001.
MAX_PARTS = 10_000
_MiB = 1 << 20


def part_size_for(max_bytes: int, preferred: int) -> int:
    """`preferred`, grown (in whole MiB) so a body of `max_bytes` fits in `MAX_PARTS` parts."""
    smallest = -(-max_bytes // MAX_PARTS)
    return max(preferred, -(-smallest // _MiB) * _MiB)


class StreamingUpload:
    """Uploads one object from an async iterator of chunks; all or nothing."""

    def __init__(
        self,
        client: S3Client,
        *,
        bucket: str,
        key: str,
        part_size: int,
        background: set[asyncio.Task[Any]],
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._part_size = part_size
        self._background = background
        self._upload_id: str | None = None
        self._parts: list[CompletedPartTypeDef] = []

    async def run(
        self, chunks: AsyncIterator[bytes], *, max_bytes: int, expected_sha256: str | None
    ) -> StoredBlob:
        """Consume `chunks` and store them under the key; on any error, abort and re-raise."""
        digest = hashlib.sha256()
        size = 0
        part = _PartBuffer(self._part_size)
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(f"file exceeds the limit of {max_bytes} bytes")
                while chunk:
                    chunk = part.add(chunk)
                    if part.full:
                        await self._send_full_part(part.take(), digest)
            last = part.take()
            last_crc32 = await asyncio.to_thread(_hash_part, digest, last)
            sha256 = digest.hexdigest()
            if expected_sha256 is not None and sha256 != expected_sha256:
                raise IntegrityError(
                    f"checksum mismatch: the body hashes to {sha256}, not {expected_sha256}"
                )
            await self._finish(last, last_crc32)
        except BaseException:
            # Too large, bad checksum, the body's source failed, cancelled (client gone):
            # parts already sent are billed storage until aborted.
            if self._upload_id is not None:
                await self._abort()
            raise
        return StoredBlob(key=self._key, size=size, sha256=sha256)

    async def _send_full_part(self, part: io.BytesIO, digest: hashlib._Hash) -> None:
        if self._upload_id is None:
            async with translated(self._key):
                created = await self._client.create_multipart_upload(
                    Bucket=self._bucket, Key=self._key, ChecksumAlgorithm="CRC32"
                )
            self._upload_id = created["UploadId"]
        crc32 = await asyncio.to_thread(_hash_part, digest, part)
        await self._upload_part(part, crc32)

    async def _upload_part(self, part: io.BytesIO, crc32: str) -> None:
        assert self._upload_id is not None
        number = len(self._parts) + 1
        async with translated(self._key):
            sent = await self._client.upload_part(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=part,
                ChecksumCRC32=crc32,
            )
        self._parts.append({"ETag": sent["ETag"], "PartNumber": number, "ChecksumCRC32": crc32})

    async def _finish(self, last: io.BytesIO, crc32: str) -> None:
        if self._upload_id is None:
            async with translated(self._key):
                await self._client.put_object(
                    Bucket=self._bucket, Key=self._key, Body=last, ChecksumCRC32=crc32
                )
            return
        if last.getbuffer().nbytes:  # empty when the body is a whole number of parts
            await self._upload_part(last, crc32)
        async with translated(self._key):
            await self._client.complete_multipart_upload(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )

    async def _abort(self) -> None:
        assert self._upload_id is not None
        task = asyncio.ensure_future(
            self._client.abort_multipart_upload(
                Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
            )
        )
        # Shielded and referenced: a second cancellation must not stop the abort half-way,
        # and the store's close() waits for aborts still running.
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        try:
            await asyncio.shield(task)
        except Exception:
            # Never mask the error that made us abort; the upload stays listable for cleanup.
            log.warning(
                "could not abort multipart upload %s of %s",
                self._upload_id,
                self._key,
                exc_info=True,
            )


def _hash_part(digest: hashlib._Hash, part: io.BytesIO) -> str:
    """Feed `part` to the body's SHA-256; return its CRC32 the way S3 wants it (base64)."""
    with part.getbuffer() as view:
        digest.update(view)
        crc32 = zlib.crc32(view)
    return base64.b64encode(crc32.to_bytes(4, "big")).decode()


class _PartBuffer:
    """Chunks written into one `BytesIO` as they arrive, up to exactly one part.

    Copying chunk by chunk spreads the cost instead of joining 8 MiB in one go, and a
    `BytesIO` that owns its buffer goes out through aiohttp without another copy (aiohttp
    refuses large raw `bytes` bodies on the event loop).
    """

    def __init__(self, part_size: int) -> None:
        self._part_size = part_size
        self._part = io.BytesIO()

    @property
    def full(self) -> bool:
        return self._part.tell() >= self._part_size

    def add(self, chunk: bytes) -> bytes:
        """Take what fits of `chunk`; return the rest (empty when all of it fitted)."""
        room = self._part_size - self._part.tell()
        if len(chunk) <= room:
            self._part.write(chunk)
            return b""
        self._part.write(memoryview(chunk)[:room])
        return chunk[room:]

    def take(self) -> io.BytesIO:
        """The part gathered so far, rewound; the buffer starts over."""
        part, self._part = self._part, io.BytesIO()
        part.seek(0)
        return part
