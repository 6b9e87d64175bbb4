"""A full disk under the API: 503 with a JSON body saying so, no file, no row.

Real condition: a 1 MiB tmpfs is mounted over the running server's `blobs/.incoming` (where
uploads are written before they are renamed into place) for the one upload; root only, as CI
runs. Nothing else of the session's server writes there meanwhile (tests run one at a time).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import RunningServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def full_incoming(server: RunningServer) -> Iterator[None]:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    incoming = server.blob_root / ".incoming"
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(incoming)], check=True)
    try:
        yield
    finally:
        subprocess.run(["umount", str(incoming)], check=True)


async def test_an_upload_to_a_full_disk_is_503_and_keeps_nothing(
    http: httpx.AsyncClient, server: RunningServer, batch_id: str, full_incoming: None
) -> None:
    await http.post("/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": batch_id})
    response = await http.put(
        f"/api/v1/batches/{batch_id}/files/a.mcap", content=os.urandom(3 << 20)
    )
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"]
    error = response.json()["error"]
    assert error["code"] == "storage_unavailable"
    assert "no space left" in error["message"]
    # Nothing half-written: no temp file on the full disk, no object, no row.
    assert list((server.blob_root / ".incoming").iterdir()) == []
    assert not (server.blob_root / "batches" / batch_id).exists()
    assert (await http.get(f"/api/v1/batches/{batch_id}")).json()["total_files"] == 0
