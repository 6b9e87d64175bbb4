"""Contract of the per-batch diagnosis lock: one holder per batch, other batches unaffected."""

from __future__ import annotations

import asyncio

import pytest

from argus.application.diagnosis.ports import DiagnosisLock
from argus.infrastructure.postgres.diagnosis_lock import PostgresDiagnosisLock
from tests.contract.conftest import FAKE, REAL, real_adapters
from tests.fakes.diagnosis import FakeDiagnosisLock


@pytest.fixture(params=[FAKE, REAL])
def lock(request: pytest.FixtureRequest) -> DiagnosisLock:
    if request.param == "fake":
        return FakeDiagnosisLock()
    return PostgresDiagnosisLock(real_adapters(request).pool)


async def until_someone_waits(lock: DiagnosisLock, request: pytest.FixtureRequest) -> None:
    """Return once a second caller is queued on the lock (PostgreSQL: an ungranted lock row)."""
    if isinstance(lock, FakeDiagnosisLock):
        for _ in range(10):
            await asyncio.sleep(0)
        return
    pool = real_adapters(request).pool
    query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    for _ in range(1000):
        if await pool.fetchval(query):
            return
        await asyncio.sleep(0.01)
    pytest.fail("no second caller queued on the advisory lock")


async def test_a_second_holder_of_a_batch_enters_only_after_the_first_left(
    lock: DiagnosisLock, batch_id: str, request: pytest.FixtureRequest
) -> None:
    order: list[str] = []
    inside, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with lock.hold(batch_id):
            order.append("first in")
            inside.set()
            await release.wait()
            order.append("first out")

    async def second() -> None:
        async with lock.hold(batch_id):
            order.append("second in")

    a = asyncio.create_task(first())
    await inside.wait()
    b = asyncio.create_task(second())
    await until_someone_waits(lock, request)
    assert order == ["first in"]
    release.set()
    await asyncio.gather(a, b)
    assert order == ["first in", "first out", "second in"]


async def test_other_batches_do_not_wait(lock: DiagnosisLock, batch_id: str) -> None:
    async with lock.hold(batch_id), lock.hold(f"{batch_id}-other"):
        entered = True
    assert entered


async def test_the_lock_is_released_when_the_block_raises(
    lock: DiagnosisLock, batch_id: str
) -> None:
    with pytest.raises(RuntimeError):
        async with lock.hold(batch_id):
            raise RuntimeError("the model call failed")
    async with lock.hold(batch_id):
        pass
