"""Blob store contract: streamed uploads round-trip; rejected or broken ones store nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from argus.application.ports import BlobStore
from argus.domain.errors import IntegrityError, NotFound, PayloadTooLarge
from tests.contract.blob_store.support import (
    BIG,
    PART,
    ClientGone,
    KiB,
    chunks_of,
    fails_after,
    leftovers,
    sha256,
)
from tests.fakes.messaging import FakeBlobStore


async def assert_nothing_stored(store: BlobStore, key: str) -> None:
    assert not await store.exists(key)
    with pytest.raises(NotFound):
        await store.get_bytes(key)
    assert await leftovers(store, key) == 0


@pytest.mark.parametrize("size", [0, 1, 100 * KiB, PART, 2 * PART, BIG])
async def test_streamed_body_round_trips_with_its_size_and_sha256(
    store: BlobStore, key: str, big_body: bytes, size: int
) -> None:
    data = big_body[:size]
    stored = await store.put_stream(key, chunks_of(data), max_bytes=BIG, expected_sha256=None)
    assert (stored.key, stored.size, stored.sha256) == (key, size, sha256(data))
    assert await store.exists(key)
    assert await store.get_bytes(key) == data
    assert await leftovers(store, key) == 0


async def test_matching_checksum_is_accepted_for_a_multipart_body(
    store: BlobStore, key: str, big_body: bytes
) -> None:
    stored = await store.put_stream(
        key, chunks_of(big_body, 100_003), max_bytes=BIG, expected_sha256=sha256(big_body)
    )
    assert stored.size == BIG
    assert sha256(await store.get_bytes(key)) == sha256(big_body)


@pytest.mark.parametrize("size", [100 * KiB, BIG], ids=["one-part", "multipart"])
async def test_checksum_mismatch_raises_integrity_error_and_stores_nothing(
    store: BlobStore, key: str, big_body: bytes, size: int
) -> None:
    with pytest.raises(IntegrityError):
        await store.put_stream(
            key, chunks_of(big_body[:size]), max_bytes=BIG, expected_sha256=sha256(b"other")
        )
    await assert_nothing_stored(store, key)


@pytest.mark.parametrize("size", [100 * KiB, BIG], ids=["one-part", "multipart"])
async def test_body_over_max_bytes_raises_payload_too_large_and_stores_nothing(
    store: BlobStore, key: str, big_body: bytes, size: int
) -> None:
    with pytest.raises(PayloadTooLarge):
        await store.put_stream(key, chunks_of(big_body[:size]), max_bytes=size - 1)
    await assert_nothing_stored(store, key)


async def test_body_failing_mid_stream_propagates_and_stores_nothing(
    store: BlobStore, key: str, big_body: bytes
) -> None:
    in_progress: list[int] = []

    async def look() -> None:
        in_progress.append(await leftovers(store, key))

    with pytest.raises(ClientGone):
        await store.put_stream(
            key, fails_after(big_body[: 2 * PART + 1], after=look), max_bytes=BIG
        )
    # The failure came while an upload was really under way (parts sent, temp file written).
    assert in_progress == [0 if isinstance(store, FakeBlobStore) else 1]
    await assert_nothing_stored(store, key)


async def test_cancelled_upload_stores_nothing(store: BlobStore, key: str, big_body: bytes) -> None:
    reached = asyncio.Event()

    async def stalls() -> AsyncIterator[bytes]:
        async for chunk in chunks_of(big_body[: 2 * PART + 1]):
            yield chunk
        reached.set()
        await asyncio.Event().wait()  # a client that stops sending

    upload = asyncio.create_task(store.put_stream(key, stalls(), max_bytes=BIG))
    await asyncio.wait_for(reached.wait(), timeout=30)
    upload.cancel()
    with pytest.raises(asyncio.CancelledError):
        await upload
    await assert_nothing_stored(store, key)


async def test_failed_upload_keeps_the_previous_object(
    store: BlobStore, key: str, big_body: bytes
) -> None:
    await store.put_bytes(key, b"version 1")
    with pytest.raises(ClientGone):
        await store.put_stream(key, fails_after(big_body), max_bytes=BIG)
    assert await store.get_bytes(key) == b"version 1"
    assert await leftovers(store, key) == 0
