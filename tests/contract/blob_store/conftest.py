"""The blob store under test, once per adapter (see `support.py`), a key and a big body."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from argus.application.ports import BlobStore
from argus.infrastructure.blob.localfs import LocalFsBlobStore
from argus.infrastructure.s3.blob_store import S3BlobStore
from argus.infrastructure.s3.settings import S3Settings
from tests.contract.blob_store.support import ADAPTERS, BIG, PART
from tests.fakes.messaging import FakeBlobStore


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
