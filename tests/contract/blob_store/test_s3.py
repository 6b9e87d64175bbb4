"""The S3 adapter alone: event-loop guard, bucket creation, outages, part size, settings."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr, ValidationError

from argus.domain.errors import Unavailable
from argus.infrastructure.embedded.process import free_port
from argus.infrastructure.s3._upload import MAX_PARTS, part_size_for
from argus.infrastructure.s3.blob_store import S3BlobStore
from argus.infrastructure.s3.settings import S3Settings
from tests.contract.blob_store.support import MiB


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
