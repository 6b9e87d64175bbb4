"""Contract of the blob store: the fake, the local filesystem and S3 (MinIO) behave alike.

S3 runs with 5 MiB parts (the S3 minimum) so a 12 MiB body is a three-part upload; failure
tests fail only after whole parts went up, so "nothing stored" also covers aborting them.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from argus.application.ports import BlobStore
from argus.domain.errors import IntegrityError, NotFound, PayloadTooLarge, Unavailable
from argus.infrastructure.blob.localfs import LocalFsBlobStore
from argus.infrastructure.embedded.process import free_port
from argus.infrastructure.s3 import S3BlobStore, S3Settings
from argus.infrastructure.s3._upload import MAX_PARTS, part_size_for
from tests.fakes.messaging import FakeBlobStore

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


@pytest.fixture(params=ADAPTERS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "fake":
        yield FakeBlobStore()
    elif request.param == "localfs":
        yield LocalFsBlobStore(tmp_path / "blobs")
    else:
        settings: S3Settings = request.getfixturevalue("s3_settings")
        async with S3BlobStore(settings.model_copy(update={"part_size_bytes": PART})) as s3:
            await s3.ensure_bucket()
            yield s3


@pytest.fixture(scope="session")
def big_body() -> bytes:
    return random.Random(4).randbytes(BIG)


@pytest.fixture
def key(batch_id: str) -> str:
    return f"batches/{batch_id}/files/upload.bin"


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


# S3 only ---------------------------------------------------------------------------------


@pytest.fixture
async def s3(s3_settings: S3Settings) -> AsyncIterator[S3BlobStore]:
    async with S3BlobStore(s3_settings) as opened:
        await opened.ensure_bucket()
        yield opened


@pytest.mark.integration
async def test_s3_reader_refuses_to_block_the_event_loop(s3: S3BlobStore, key: str) -> None:
    await s3.put_bytes(key, b"x")
    with pytest.raises(RuntimeError, match="worker thread"):
        s3.open_reader(key)


@pytest.mark.integration
async def test_s3_ensure_bucket_creates_once(s3_settings: S3Settings, batch_id: str) -> None:
    settings = s3_settings.model_copy(update={"bucket": f"argus-{batch_id}"})
    async with S3BlobStore(settings) as store:
        await store.ensure_bucket()
        await store.ensure_bucket()
        await store.put_bytes("k", b"v")
        assert await store.get_bytes("k") == b"v"


@pytest.mark.integration
async def test_s3_unreachable_endpoint_is_unavailable(s3_settings: S3Settings, key: str) -> None:
    settings = s3_settings.model_copy(
        update={"endpoint_url": f"http://127.0.0.1:{free_port()}", "max_attempts": 1}
    )
    async with S3BlobStore(settings) as store:
        with pytest.raises(Unavailable):
            await store.get_bytes(key)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("max_bytes", "preferred", "expected"),
    [
        (20 << 30, 8 * MiB, 8 * MiB),  # 20 GiB: 2,560 parts
        (80_000 * MiB, 8 * MiB, 8 * MiB),  # exactly 10,000 parts
        (80_001 * MiB, 8 * MiB, 9 * MiB),
        (100 << 30, 8 * MiB, 11 * MiB),
        (1, 5 * MiB, 5 * MiB),
    ],
)
def test_s3_part_size_grows_so_the_largest_body_fits_in_10000_parts(
    max_bytes: int, preferred: int, expected: int
) -> None:
    size = part_size_for(max_bytes, preferred)
    assert size == expected and -(-max_bytes // size) <= MAX_PARTS


@pytest.mark.unit
def test_s3_settings_read_argus_s3_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARGUS_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("ARGUS_S3_BUCKET", "argus")
    monkeypatch.setenv("ARGUS_S3_ACCESS_KEY_ID", "argus")
    monkeypatch.setenv("ARGUS_S3_SECRET_ACCESS_KEY", "argus-secret-key")
    monkeypatch.setenv("ARGUS_S3_PART_SIZE_BYTES", str(16 * MiB))
    settings = S3Settings()  # type: ignore[call-arg]  # the values come from the environment
    assert settings.secret_access_key == SecretStr("argus-secret-key")
    assert (settings.addressing_style, settings.part_size_bytes) == ("path", 16 * MiB)


@pytest.mark.unit
def test_s3_settings_fail_loud_without_endpoint_and_refuse_small_parts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("ENDPOINT_URL", "BUCKET", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY"):
        monkeypatch.delenv(f"ARGUS_S3_{name}", raising=False)
    with pytest.raises(ValidationError, match="endpoint_url"):
        S3Settings()  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="part_size_bytes"):
        S3Settings(
            endpoint_url="http://x",
            bucket="argus",
            access_key_id="a",
            secret_access_key=SecretStr("b"),
            part_size_bytes=MiB,
        )


# Partial writes whose writer died -----------------------------------------------------------


async def abandon_a_partial_upload(store: BlobStore, key: str, root: Path) -> None:
    """What a writer killed mid-upload leaves: an open multipart upload, or a temp file."""
    if isinstance(store, S3BlobStore):
        client = store._s3  # private on purpose: the test plays the dead writer
        started = await client.create_multipart_upload(Bucket=store.bucket, Key=key)
        await client.upload_part(
            Bucket=store.bucket,
            Key=key,
            UploadId=started["UploadId"],
            PartNumber=1,
            Body=b"x" * KiB,
        )
    else:
        (root / ".incoming" / f"{key.replace('/', '_')}.part").write_bytes(b"x" * KiB)


@pytest.mark.parametrize("store", ADAPTERS[1:], indirect=True)
async def test_partial_uploads_idle_since_before_the_cutoff_are_purged(
    store: BlobStore, key: str, tmp_path: Path
) -> None:
    await store.put_bytes(key, b"finished")
    await abandon_a_partial_upload(store, f"{key}.dead", tmp_path / "blobs")
    assert await leftovers(store, "") == 1
    before = datetime.now(UTC) - timedelta(hours=1)
    # Started after the cutoff: might still be writing, so it stays.
    assert await store.purge_partial_uploads(before) == 0
    assert await leftovers(store, "") == 1
    assert await store.purge_partial_uploads(datetime.now(UTC) + timedelta(minutes=1)) == 1
    assert await leftovers(store, "") == 0
    assert await store.get_bytes(key) == b"finished"  # finished objects are never touched
    assert await store.purge_partial_uploads(datetime.now(UTC) + timedelta(minutes=1)) == 0


@pytest.mark.unit
async def test_the_fake_store_never_has_partial_uploads() -> None:
    store = FakeBlobStore()
    await store.put_bytes("k", b"v")
    assert await store.purge_partial_uploads(datetime.now(UTC) + timedelta(days=1)) == 0
    assert await store.get_bytes("k") == b"v"
