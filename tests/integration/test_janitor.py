"""The janitor against real PostgreSQL and the local blob store, seen through the HTTP API."""

from __future__ import annotations

import os
import time

import httpx
import pytest

from argus import bootstrap
from argus.bootstrap import Adapters
from argus.domain.batch import ABANDONED_UPLOAD

pytestmark = pytest.mark.integration

DAY_S = 24 * 3600


async def open_batch_with_a_file(http: httpx.AsyncClient, batch_id: str) -> None:
    created = await http.post("/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": batch_id})
    assert created.status_code == 201, created.text
    put = await http.put(f"/api/v1/batches/{batch_id}/files/a.mcap", content=b"\x89MCAP0\r\n")
    assert put.status_code == 201, put.text


async def age(adapters: Adapters, batch_id: str, seconds: int) -> None:
    """Pretend the batch's last upload was `seconds` ago."""
    async with adapters.pool.acquire() as conn:
        await conn.execute(
            "UPDATE batches SET updated_at = now() - make_interval(secs => $2) WHERE batch_id = $1",
            batch_id,
            float(seconds),
        )


async def test_an_abandoned_upload_fails_loses_its_files_and_refuses_more(
    adapters: Adapters, http: httpx.AsyncClient, batch_id: str
) -> None:
    fresh = f"{batch_id}-fresh"
    await open_batch_with_a_file(http, batch_id)
    await open_batch_with_a_file(http, fresh)
    await age(adapters, batch_id, DAY_S + 60)
    await age(adapters, fresh, DAY_S - 60)
    batch = await adapters.batches.get(batch_id)
    assert batch is not None
    stored = adapters.settings.blob_root / batch.files[0].blob_key
    assert stored.is_file()
    incoming = adapters.settings.blob_root / ".incoming"
    dead_temp, live_temp = incoming / f"{batch_id}-dead.part", incoming / f"{batch_id}-live.part"
    dead_temp.write_bytes(b"half an upload")
    live_temp.write_bytes(b"an upload in progress")
    old = time.time() - DAY_S - 60
    os.utime(dead_temp, (old, old))

    result = await bootstrap.janitor(adapters).sweep()

    assert batch_id in result.abandoned_batches and fresh not in result.abandoned_batches
    assert result.purged_partial_uploads >= 1
    assert not dead_temp.exists() and live_temp.exists()
    assert not stored.exists()
    read = (await http.get(f"/api/v1/batches/{batch_id}")).json()
    assert read["status"] == "failed"
    assert read["failure_reason"].startswith(ABANDONED_UPLOAD)
    assert (await http.get(f"/api/v1/batches/{fresh}")).json()["status"] == "pending"
    # The uploader comes back: clear refusals, nothing stored.
    late = await http.put(f"/api/v1/batches/{batch_id}/files/b.mcap", content=b"late")
    assert late.status_code == 409
    assert ABANDONED_UPLOAD in late.json()["error"]["message"]
    complete = await http.post(f"/api/v1/batches/{batch_id}/complete")
    assert complete.status_code == 409
    assert ABANDONED_UPLOAD in complete.json()["error"]["message"]
    # The failure is in the outbox, on its way to progress followers.
    async with adapters.pool.acquire() as conn:
        statuses = await conn.fetch(
            "SELECT payload->'data'->>'status' AS status FROM outbox"
            " WHERE partition_key = $1 AND event_type = 'BatchStatusChanged'",
            batch_id,
        )
    assert [r["status"] for r in statuses] == ["failed"]
    live_temp.unlink()
