"""The janitor with the in-memory fakes: which batches it ends, what it deletes, and its loop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from argus.application.janitor import Janitor
from argus.domain.batch import ABANDONED_UPLOAD, Batch, BatchStatus
from argus.domain.errors import Unavailable
from argus.domain.events import BatchStatusChanged
from argus.domain.log_file import LogFile
from tests.fakes.messaging import FakeBlobStore
from tests.fakes.repositories import FakeBatchRepository

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
TTL = timedelta(hours=24)


def stored_batch(
    repo: FakeBatchRepository,
    blobs: FakeBlobStore,
    batch_id: str,
    *,
    idle: timedelta,
    status: BatchStatus = BatchStatus.PENDING,
    files: int = 2,
) -> Batch:
    batch = Batch(batch_id=batch_id, vehicle_id="veh-1", status=status, updated_at=NOW - idle)
    for i in range(files):
        key = f"batches/{batch_id}/files/{i}.mcap"
        batch.files.append(
            LogFile(
                file_id=f"{batch_id}-{i}", name=f"{i}.mcap", size=3, sha256="0" * 64, blob_key=key
            )
        )
        blobs.objects[key] = b"abc"
    repo.store.batches[batch_id] = batch
    return batch


def janitor(repo: FakeBatchRepository, blobs: FakeBlobStore, **kwargs: object) -> Janitor:
    return Janitor(batches=repo, blobs=blobs, upload_ttl=TTL, clock=lambda: NOW, **kwargs)  # type: ignore[arg-type]


async def test_idle_pending_batches_fail_and_lose_their_files_others_are_kept() -> None:
    repo, blobs = FakeBatchRepository(), FakeBlobStore()
    stored_batch(repo, blobs, "stale", idle=TTL + timedelta(seconds=1))
    stored_batch(repo, blobs, "fresh", idle=TTL - timedelta(seconds=1))
    stored_batch(repo, blobs, "running", idle=TTL * 3, status=BatchStatus.SCATTERING)

    result = await janitor(repo, blobs).sweep()

    assert (result.abandoned_batches, result.deleted_files) == (["stale"], 2)
    stale = repo.store.batches["stale"]
    assert stale.status is BatchStatus.FAILED
    assert stale.failure_reason is not None and stale.failure_reason.startswith(ABANDONED_UPLOAD)
    assert sorted(blobs.objects) == [
        f"batches/{b}/files/{i}.mcap" for b in ("fresh", "running") for i in (0, 1)
    ]
    assert repo.store.batches["fresh"].status is BatchStatus.PENDING
    assert repo.store.batches["running"].status is BatchStatus.SCATTERING
    # The failure goes out through the outbox, so progress followers see it.
    events = [e for _, e, _ in repo.store.outbox]
    assert [(e.batch_id, e.status) for e in events if isinstance(e, BatchStatusChanged)] == [
        ("stale", "failed")
    ]
    # A second sweep finds nothing to do.
    again = await janitor(repo, blobs).sweep()
    assert (again.abandoned_batches, again.deleted_files) == ([], 0)


async def test_a_sweep_ends_at_most_its_share_of_batches_oldest_first() -> None:
    repo, blobs = FakeBatchRepository(), FakeBlobStore()
    for age in range(5):
        stored_batch(repo, blobs, f"b{age}", idle=TTL + timedelta(hours=age), files=1)
    first = await janitor(repo, blobs, batches_per_sweep=2).sweep()
    assert first.abandoned_batches == ["b4", "b3"]
    second = await janitor(repo, blobs, batches_per_sweep=2).sweep()
    assert second.abandoned_batches == ["b2", "b1"]


class UploadDuringSweep(FakeBatchRepository):
    """A file arrives between the janitor's query and its locked check."""

    async def abandoned_uploads(self, idle_since: datetime, limit: int) -> list[str]:
        found = await super().abandoned_uploads(idle_since, limit)
        for batch_id in found:
            self.store.batches[batch_id].updated_at = NOW  # what add_file does
        return found


async def test_a_batch_that_got_an_upload_after_the_query_is_not_abandoned() -> None:
    repo, blobs = UploadDuringSweep(), FakeBlobStore()
    stored_batch(repo, blobs, "busy", idle=TTL * 2)
    result = await janitor(repo, blobs).sweep()
    assert result.abandoned_batches == []
    assert repo.store.batches["busy"].status is BatchStatus.PENDING
    assert len(blobs.objects) == 2


class FlakyBlobs(FakeBlobStore):
    def __init__(self) -> None:
        super().__init__()
        self.purges = 0
        self.third = asyncio.Event()

    async def purge_partial_uploads(self, older_than: datetime) -> int:
        self.purges += 1
        if self.purges == 3:
            self.third.set()
        assert older_than == NOW - TTL
        if self.purges == 1:
            raise Unavailable("storage unreachable")
        return 0


async def test_the_loop_survives_a_failed_sweep_and_stops_when_told() -> None:
    repo, blobs = FakeBatchRepository(), FlakyBlobs()
    stop = asyncio.Event()
    loop = asyncio.create_task(janitor(repo, blobs).run(interval_s=0.01, stop=stop))
    await asyncio.wait_for(blobs.third.wait(), 5)
    stop.set()
    await asyncio.wait_for(loop, 5)
    assert loop.exception() is None


class UndeletableBlobs(FakeBlobStore):
    """Storage that refuses to delete one key."""

    async def delete(self, key: str) -> None:
        if key.endswith("stale-a/files/0.mcap"):
            raise Unavailable("storage refused")
        await super().delete(key)


async def test_a_file_that_cannot_be_deleted_does_not_stop_the_sweep() -> None:
    repo, blobs = FakeBatchRepository(), UndeletableBlobs()
    stored_batch(repo, blobs, "stale-a", idle=TTL * 2)
    stored_batch(repo, blobs, "stale-b", idle=TTL * 3)
    result = await janitor(repo, blobs).sweep()
    assert sorted(result.abandoned_batches) == ["stale-a", "stale-b"]
    assert result.deleted_files == 3
    assert list(blobs.objects) == ["batches/stale-a/files/0.mcap"]  # logged, left in storage
