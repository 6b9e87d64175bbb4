"""Blob store contract: partial writes whose writer died are purged once idle past a cutoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from argus.application.ports import BlobStore
from argus.infrastructure.s3.blob_store import S3BlobStore
from tests.contract.blob_store.support import ADAPTERS, KiB, leftovers
from tests.fakes.messaging import FakeBlobStore


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
