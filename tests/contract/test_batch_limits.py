"""The batch limits hold under concurrency, in the fake and in PostgreSQL alike."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from argus.application.ports import BatchRepository
from argus.domain.batch import Batch
from argus.domain.errors import BatchTooLarge, TooManyFiles, TooManyOpenBatches
from argus.domain.log_file import LogFile
from argus.domain.upload_policy import BatchLimits, UploadPolicy
from tests.contract.conftest import FAKE, REAL, real_adapters
from tests.fakes.repositories import FakeBatchRepository


@pytest.fixture(params=[FAKE, REAL])
def batches(request: pytest.FixtureRequest) -> Any:
    if request.param == "fake":
        return FakeBatchRepository()
    return real_adapters(request).batches


def a_file(name: str, size: int = 5) -> LogFile:
    return LogFile(
        file_id=uuid.uuid4().hex, name=name, size=size, sha256="a" * 64, blob_key=f"k/{name}"
    )


async def test_concurrent_creates_never_exceed_the_open_batches_of_a_vehicle(
    batches: BatchRepository,
) -> None:
    vehicle = f"veh-{uuid.uuid4().hex[:8]}"
    limits = BatchLimits(max_open_per_vehicle=3)
    results = await asyncio.gather(
        *(
            batches.create(Batch(batch_id=f"{vehicle}-{i}", vehicle_id=vehicle), limits=limits)
            for i in range(10)
        ),
        return_exceptions=True,
    )
    created = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, TooManyOpenBatches)]
    assert (len(created), len(refused)) == (3, 7)
    # The same id again is not a new batch: it is returned, not refused.
    again, was_created = await batches.create(created[0][0], limits=limits)
    assert not was_created and again.batch_id == created[0][0].batch_id
    # Another vehicle has its own quota.
    other = f"{vehicle}-other"
    _, ok = await batches.create(Batch(batch_id=other, vehicle_id=other), limits=limits)
    assert ok


async def test_concurrent_uploads_never_exceed_the_files_of_a_batch(
    batches: BatchRepository, batch_id: str
) -> None:
    await batches.create(Batch(batch_id=batch_id, vehicle_id="veh-1"))
    policy = UploadPolicy(limits=BatchLimits(max_files=4))
    results = await asyncio.gather(
        *(batches.add_file(batch_id, a_file(f"f{i}.mcap"), policy=policy) for i in range(9)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, TooManyFiles) for r in results) == 5
    batch = await batches.get(batch_id)
    assert batch is not None and len(batch.files) == 4


async def test_bytes_per_batch_count_a_replaced_file_as_freed(
    batches: BatchRepository, batch_id: str
) -> None:
    await batches.create(Batch(batch_id=batch_id, vehicle_id="veh-1"))
    limits = BatchLimits(max_bytes=100)
    await batches.add_file(batch_id, a_file("a.mcap", 60), policy=UploadPolicy(limits=limits))
    with pytest.raises(BatchTooLarge):
        await batches.add_file(batch_id, a_file("b.mcap", 41), policy=UploadPolicy(limits=limits))
    replacing = UploadPolicy(replace=True, limits=limits)
    assert await batches.add_file(batch_id, a_file("a.mcap", 100), policy=replacing) is not None
    batch = await batches.get(batch_id)
    assert batch is not None and [(f.name, f.size) for f in batch.files] == [("a.mcap", 100)]
