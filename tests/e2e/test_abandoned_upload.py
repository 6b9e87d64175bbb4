"""A batch opened and never completed does not stay pending forever (embedded `argus serve`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from argus.cli.client import ArgusClient
from argus.domain.batch import ABANDONED_UPLOAD
from tests.e2e.conftest import RunningServer
from tests.e2e.helpers import follow_to_end, statuses, upload_batch

pytestmark = pytest.mark.e2e


async def test_an_abandoned_upload_is_failed_by_the_server_and_its_files_deleted(
    server: RunningServer, client: ArgusClient, drive: list[Path], batch_id: str
) -> None:
    await upload_batch(client, batch_id, drive[:1], complete=False)
    files = list((server.blob_root / "batches" / batch_id / "files").iterdir())
    assert len(files) == 1
    # The vehicle went silent a day and a minute ago.
    conn = await asyncpg.connect(server.pg_url)
    try:
        await conn.execute(
            "UPDATE batches SET updated_at = now() - interval '1 day 1 minute' WHERE batch_id = $1",
            batch_id,
        )
    finally:
        await conn.close()

    events = await follow_to_end(client, batch_id)  # ends when the batch reaches a final state

    assert statuses(events)[-1] == "failed"
    status = await client.status(batch_id)
    assert status["status"] == "failed"
    assert status["failure_reason"].startswith(ABANDONED_UPLOAD)
    for _ in range(50):  # the files go right after the commit that failed the batch
        if not any(path.exists() for path in files):
            break
        await asyncio.sleep(0.1)
    assert not any(path.exists() for path in files)
