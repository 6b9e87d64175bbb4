"""The local blob store on a filesystem that refuses the bytes: a domain error, nothing kept.

Real conditions, no mocks: a file-size limit on this process (EFBIG, any user) and a full
1 MiB tmpfs (ENOSPC; mounting needs root, as CI runs). Both also count the write syscalls: a
batch of chunks is one `writev`, never one write per chunk.
"""

from __future__ import annotations

import os
import resource
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from argus.domain.errors import NotFound, StorageUnavailable
from argus.infrastructure.blob import file_writer
from argus.infrastructure.blob.localfs import LocalFsBlobStore
from tests.contract.blob_store.support import KiB, MiB, chunks_of, sha256

pytestmark = pytest.mark.integration

KEY = "batches/b/files/f.mcap"


@pytest.fixture
def file_size_limit() -> Iterator[int]:
    """RLIMIT_FSIZE of 1 MiB on this process while the test runs (Python ignores SIGXFSZ, so
    a write past it fails with EFBIG)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (MiB, hard))
    try:
        yield MiB
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs mounted for the test."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root); the EFBIG test still runs")
    mount = tmp_path / "tiny"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


async def assert_nothing_kept(store: LocalFsBlobStore) -> None:
    assert store.incoming_count() == 0
    assert not await store.exists(KEY)
    with pytest.raises(NotFound):
        await store.get_bytes(KEY)


async def test_a_file_over_the_size_limit_is_storage_unavailable_and_leaves_nothing(
    tmp_path: Path, file_size_limit: int
) -> None:
    store = LocalFsBlobStore(tmp_path / "blobs")
    body = os.urandom(3 * file_size_limit)
    with pytest.raises(StorageUnavailable, match="larger than the blob store accepts") as caught:
        await store.put_stream(KEY, chunks_of(body, 64 * KiB), max_bytes=len(body))
    assert caught.value.code == "storage_unavailable"
    assert "nothing was stored" in caught.value.message
    await assert_nothing_kept(store)


async def test_a_full_disk_is_storage_unavailable_and_leaves_nothing(full_disk: Path) -> None:
    store = LocalFsBlobStore(full_disk)
    body = os.urandom(3 * MiB)
    with pytest.raises(StorageUnavailable, match="no space left"):
        await store.put_stream(KEY, chunks_of(body, 64 * KiB), max_bytes=len(body))
    await assert_nothing_kept(store)
    with pytest.raises(StorageUnavailable, match="no space left"):
        await store.put_bytes("batches/b/summaries/f.json", body)
    assert store.incoming_count() == 0
    # Space is free again afterwards: the store works, nothing was leaked on the small disk.
    small = os.urandom(100 * KiB)
    stored = await store.put_stream(KEY, chunks_of(small), max_bytes=len(small))
    assert stored.sha256 == sha256(small)


async def test_each_batch_of_chunks_is_one_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[int] = []
    real_writev = os.writev

    def counting_writev(fd: int, buffers: list[bytes]) -> int:
        writes.append(len(buffers))
        return real_writev(fd, buffers)

    monkeypatch.setattr(file_writer.os, "writev", counting_writev)
    store = LocalFsBlobStore(tmp_path / "blobs")
    body = os.urandom(8 * MiB + 5)
    stored = await store.put_stream(KEY, chunks_of(body, 64 * KiB), max_bytes=len(body))
    assert (stored.size, stored.sha256) == (len(body), sha256(body))
    # 16 chunks of 64 KiB per 1 MiB batch: 8 full batches, then the 5-byte rest.
    assert writes == [16] * 8 + [1]
    assert store.path_of(KEY).read_bytes() == body


@pytest.fixture
def store_on_read_only_disk(full_disk: Path) -> Iterator[LocalFsBlobStore]:
    """A store whose folders were made, then its filesystem remounted read-only."""
    store = LocalFsBlobStore(full_disk)
    subprocess.run(["mount", "-o", "remount,ro", str(full_disk)], check=True)
    try:
        yield store
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(full_disk)], check=True)


async def test_a_read_only_filesystem_is_storage_unavailable_not_a_raw_os_error(
    store_on_read_only_disk: LocalFsBlobStore,
) -> None:
    """The temp file cannot even be opened, and removing it is refused with EROFS (before
    ENOENT): the clean-up must not replace the upload's clear error."""
    store = store_on_read_only_disk
    with pytest.raises(StorageUnavailable, match="read-only"):
        await store.put_stream(KEY, chunks_of(b"x" * KiB, KiB), max_bytes=KiB)
    assert store.incoming_count() == 0
