"""Blob store on S3 or MinIO (the distributed mode's object storage), through aiobotocore.

Writes are all-or-nothing like the filesystem store's: streamed bodies go up as a multipart
upload that is completed only after the checksum matched and aborted on any failure
(see `_upload`); readers stream the object to parser threads (see `_reader`).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from argus.application.ports import StoredBlob
from argus.infrastructure.s3._errors import error_code, is_missing, translated
from argus.infrastructure.s3._reader import LoopBridge, S3ObjectReader
from argus.infrastructure.s3._upload import StreamingUpload, part_size_for
from argus.infrastructure.s3.settings import S3Settings

if TYPE_CHECKING:
    from aiobotocore.response import StreamingBody
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.literals import BucketLocationConstraintType


@dataclass(frozen=True)
class MultipartUploadInfo:
    """A multipart upload that was started and neither completed nor aborted."""

    key: str
    upload_id: str
    initiated: datetime | None


class S3BlobStore:
    """Objects in one bucket. Use `async with S3BlobStore(settings)` or `open()`/`close()`."""

    def __init__(self, settings: S3Settings) -> None:
        self._settings = settings
        self._bucket = settings.bucket
        self._stack: AsyncExitStack | None = None
        self._client: S3Client | None = None
        self._bridge: LoopBridge | None = None
        self._background: set[asyncio.Task[Any]] = set()

    async def open(self) -> None:
        """Create the client; must run on the event loop that will use the store."""
        if self._client is not None:
            return
        s = self._settings
        config = AioConfig(
            connect_timeout=s.connect_timeout_s,
            read_timeout=s.read_timeout_s,
            retries={"max_attempts": s.max_attempts, "mode": "standard"},
            max_pool_connections=s.max_pool_connections,
            # Requests carry a CRC32 we compute off the loop (see _upload); signing the
            # payload too would SHA-256 every part on the event loop over plain http.
            s3={"addressing_style": s.addressing_style, "payload_signing_enabled": False},
        )
        stack = AsyncExitStack()
        self._client = await stack.enter_async_context(
            get_session().create_client(
                "s3",
                endpoint_url=s.endpoint_url,
                region_name=s.region,
                aws_access_key_id=s.access_key_id,
                aws_secret_access_key=s.secret_access_key.get_secret_value(),
                config=config,
            )
        )
        self._stack = stack
        # The client's connections belong to this loop; parser threads, which have no loop
        # of their own, send their reads here (see _reader).
        self._bridge = LoopBridge(
            asyncio.get_running_loop(), timeout_s=s.connect_timeout_s + 2 * s.read_timeout_s
        )

    async def close(self) -> None:
        """Wait for aborts still in flight, then close the client's connections."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._stack is not None:
            await self._stack.aclose()
        self._stack = self._client = self._bridge = None

    async def __aenter__(self) -> S3BlobStore:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def bucket(self) -> str:
        return self._bucket

    async def ensure_bucket(self) -> None:
        """Create the bucket unless it exists (safe to race with other processes)."""
        async with translated(self._bucket):
            try:
                await self._s3.head_bucket(Bucket=self._bucket)
                return
            except ClientError as exc:
                if error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
                    raise
            region = self._settings.region
            try:
                if region == "us-east-1":  # the default region refuses an explicit constraint
                    await self._s3.create_bucket(Bucket=self._bucket)
                else:
                    where = cast("BucketLocationConstraintType", region)
                    await self._s3.create_bucket(
                        Bucket=self._bucket,
                        CreateBucketConfiguration={"LocationConstraint": where},
                    )
            except ClientError as exc:
                if error_code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterator[bytes],
        *,
        max_bytes: int,
        expected_sha256: str | None = None,
    ) -> StoredBlob:
        upload = StreamingUpload(
            self._s3,
            bucket=self._bucket,
            key=key,
            part_size=part_size_for(max_bytes, self._settings.part_size_bytes),
            background=self._background,
        )
        return await upload.run(chunks, max_bytes=max_bytes, expected_sha256=expected_sha256)

    async def put_bytes(self, key: str, data: bytes) -> None:
        async with translated(key):
            # Wrapped: aiohttp refuses large raw bodies on the event loop; bytes are not copied.
            await self._s3.put_object(Bucket=self._bucket, Key=key, Body=io.BytesIO(data))

    async def get_bytes(self, key: str) -> bytes:
        body = await self._get_body(key)
        async with translated(key), body:
            return await body.read()

    def open_reader(self, key: str) -> BinaryIO:
        """Blocking: call from a worker thread. NotFound is raised here, not on first read."""
        bridge = self._loop_bridge
        body = bridge.run(self._get_body(key))
        chunk = self._settings.read_chunk_bytes
        raw = S3ObjectReader(body, key=key, bridge=bridge, chunk_bytes=chunk)
        return io.BufferedReader(raw, buffer_size=chunk)

    async def delete(self, key: str) -> None:
        # S3 answers 204 for absent keys too: deleting is idempotent by itself.
        async with translated(key):
            await self._s3.delete_object(Bucket=self._bucket, Key=key)

    async def exists(self, key: str) -> bool:
        async with translated(key):
            try:
                await self._s3.head_object(Bucket=self._bucket, Key=key)
            except ClientError as exc:
                if is_missing(exc):
                    return False
                raise
        return True

    async def purge_partial_uploads(self, older_than: datetime) -> int:
        # put_stream completes or aborts its upload, so one still open since before the
        # cutoff lost its writer (process killed mid-upload). The bucket is Argus's own.
        aborted = 0
        for upload in await self.list_multipart_uploads():
            if upload.initiated is None or upload.initiated >= older_than:
                continue
            async with translated(upload.key):
                try:
                    await self._s3.abort_multipart_upload(
                        Bucket=self._bucket, Key=upload.key, UploadId=upload.upload_id
                    )
                except ClientError as exc:
                    if error_code(exc) == "NoSuchUpload":
                        continue  # completed, or aborted by another sweeper meanwhile
                    raise
            aborted += 1
        return aborted

    async def list_multipart_uploads(self, prefix: str = "") -> list[MultipartUploadInfo]:
        """Multipart uploads in progress (or orphaned) under `prefix`, for tests and operators."""
        found: list[MultipartUploadInfo] = []
        async with translated(prefix):
            pages = self._s3.get_paginator("list_multipart_uploads").paginate(
                Bucket=self._bucket, Prefix=prefix
            )
            async for page in pages:
                found.extend(
                    MultipartUploadInfo(
                        key=upload["Key"],
                        upload_id=upload["UploadId"],
                        initiated=upload.get("Initiated"),
                    )
                    for upload in page.get("Uploads", [])
                )
        return found

    async def _get_body(self, key: str) -> StreamingBody:
        async with translated(key):
            response = await self._s3.get_object(Bucket=self._bucket, Key=key)
        return response["Body"]

    @property
    def _s3(self) -> S3Client:
        if self._client is None:
            raise RuntimeError("S3BlobStore is not open: call `await store.open()` first")
        return self._client

    @property
    def _loop_bridge(self) -> LoopBridge:
        if self._bridge is None:
            raise RuntimeError("S3BlobStore is not open: call `await store.open()` first")
        return self._bridge
