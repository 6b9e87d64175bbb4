"""Contract of the blob store: the fake, the local filesystem and S3 (MinIO) behave alike.

S3 runs with 5 MiB parts (the S3 minimum) so a 12 MiB body is a three-part upload; failure
tests fail only after whole parts went up, so "nothing stored" also covers aborting them.
This module holds the sizes, the adapters and the helpers the suite's modules share.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from argus.application.ports import BlobStore
from argus.infrastructure.blob.localfs import LocalFsBlobStore
from argus.infrastructure.s3.blob_store import S3BlobStore

KiB = 1 << 10
MiB = 1 << 20
PART = 5 * MiB
BIG = 12 * MiB + 12_345  # two full parts and a short last one
CHUNK = 256 * KiB

ADAPTERS = [
    pytest.param("fake", marks=pytest.mark.unit),
    pytest.param("localfs", marks=pytest.mark.integration),
    pytest.param("s3", marks=pytest.mark.integration),
]


class ClientGone(Exception):
    """What an upload's body raises when the client disconnects mid-stream."""


async def chunks_of(data: bytes, size: int = CHUNK) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def fails_after(
    data: bytes, *, after: Callable[[], Awaitable[None]] | None = None
) -> AsyncIterator[bytes]:
    async for chunk in chunks_of(data):
        yield chunk
    if after is not None:
        await after()
    raise ClientGone("the client went away")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def leftovers(store: BlobStore, key: str) -> int:
    """Traces of unfinished uploads: S3 multipart uploads, LocalFs temporary files."""
    if isinstance(store, S3BlobStore):
        return len(await store.list_multipart_uploads(key))
    if isinstance(store, LocalFsBlobStore):
        return store.incoming_count()
    return 0
