"""Blob store contract: small objects, missing keys, readers for worker threads, deletes."""

from __future__ import annotations

import asyncio
import io

import pytest

from argus.application.ports import BlobStore
from argus.domain.errors import NotFound
from tests.contract.blob_store.support import BIG, MiB, chunks_of


async def test_put_bytes_stores_and_replaces(store: BlobStore, key: str) -> None:
    await store.put_bytes(key, b'{"n": 1}')
    await store.put_bytes(key, b'{"n": 2}')
    assert await store.get_bytes(key) == b'{"n": 2}'


async def test_missing_key_is_not_found(store: BlobStore, key: str) -> None:
    assert not await store.exists(key)
    with pytest.raises(NotFound):
        await store.get_bytes(key)
    with pytest.raises(NotFound):
        await asyncio.to_thread(store.open_reader, key)


async def test_reader_streams_a_multipart_object_to_a_worker_thread(
    store: BlobStore, key: str, big_body: bytes
) -> None:
    await store.put_stream(key, chunks_of(big_body), max_bytes=BIG)

    def parse() -> tuple[bytes, bytes]:
        # How a parser reads: small headers, odd sizes, readinto, big pieces, then the rest.
        with store.open_reader(key) as reader:
            assert isinstance(reader, io.BufferedIOBase)  # every adapter's reader is buffered
            head = reader.read(8)
            into = bytearray(1000)
            got = reader.readinto(into)
            body = bytearray(head + into[:got])
            body += reader.read(3 * MiB + 7)
            while piece := reader.read(2 * MiB):
                body += piece
            return bytes(body), reader.read(10)

    body, after_end = await asyncio.to_thread(parse)
    assert len(body) == BIG and body == big_body
    assert after_end == b""


async def test_reader_reads_everything_at_once(store: BlobStore, key: str, big_body: bytes) -> None:
    await store.put_bytes(key, big_body[: 3 * MiB])

    def read_all() -> bytes:
        with store.open_reader(key) as reader:
            return reader.read()

    assert await asyncio.to_thread(read_all) == big_body[: 3 * MiB]


async def test_delete_is_idempotent(store: BlobStore, key: str) -> None:
    await store.put_bytes(key, b"x")
    await store.delete(key)
    await store.delete(key)
    assert not await store.exists(key)
