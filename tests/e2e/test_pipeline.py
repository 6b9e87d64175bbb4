"""The whole pipeline through HTTP: upload → parse → barrier → gather → diagnose → report."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from argus.cli.client import ArgusClient
from tests.e2e.helpers import file_events, follow_to_end, statuses, upload_batch

pytestmark = pytest.mark.e2e


async def test_a_drive_with_a_lidar_dropout_is_diagnosed_as_lidar(
    client: ArgusClient, http: httpx.AsyncClient, drive: list[Path], batch_id: str
) -> None:
    await upload_batch(client, batch_id, drive)
    events = await follow_to_end(client, batch_id)
    assert statuses(events) == ["uploaded", "scattering", "gathering", "diagnosing", "completed"]
    assert (
        len(set(file_events(events, "file_parsed")))
        == len(drive)
        == len(file_events(events, "file_parsed"))
    )

    status, report = await client.report(batch_id)
    assert status == 200
    assert report["status"] == "completed"
    assert report["diagnosis"]["component"] == "lidar"
    assert {"component", "root_cause", "severity", "evidence", "actions"} <= set(
        report["diagnosis"]
    )
    assert report["anomalies"][0]["component"] == "lidar"
    assert report["summary"]["totals"]["files"] == 3

    v1 = await http.get(f"/api/v1/batches/{batch_id}/report")
    assert v1.status_code == 200 and v1.json() == report
    batch = await client.status(batch_id)
    assert batch["files"] == {"total": 3, "uploaded": 0, "parsing": 0, "parsed": 3, "failed": 0}


async def test_report_is_202_with_the_status_while_the_batch_is_open(
    client: ArgusClient, http: httpx.AsyncClient, drive: list[Path], batch_id: str
) -> None:
    await upload_batch(client, batch_id, drive[:1], complete=False)
    response = await http.get(f"/api/report/{batch_id}")
    assert response.status_code == 202
    assert response.json() == {"batch_id": batch_id, "vehicle_id": "veh-e2e", "status": "pending"}


async def test_truncated_and_corrupt_files_fail_with_a_reason_and_the_batch_ends_with_errors(
    client: ArgusClient, drive: list[Path], batch_id: str, tmp_path: Path
) -> None:
    data = drive[0].read_bytes()
    truncated = tmp_path / "truncated.mcap"
    truncated.write_bytes(data[: len(data) // 2])
    corrupt = tmp_path / "corrupt.mcap"
    mangled = bytearray(data)
    for offset in range(len(mangled) // 3, len(mangled) // 3 + 4096):
        mangled[offset] ^= 0xFF
    corrupt.write_bytes(bytes(mangled))
    await upload_batch(client, batch_id, [drive[1], truncated, corrupt])
    events = await follow_to_end(client, batch_id)
    assert statuses(events)[-1] == "completed_with_errors"
    failed = [data for _, data in events if data["type"] == "file_failed"]
    assert len(failed) == 2
    assert all(item["reason"] for item in failed)
    status, report = await client.report(batch_id)
    assert status == 200 and report["status"] == "completed_with_errors"
    assert report["summary"]["totals"]["failed"] == 2
    assert any(a["kind"] == "parse_failure" for a in report["anomalies"])


async def test_list_filters_by_vehicle_and_status(
    client: ArgusClient, http: httpx.AsyncClient, batch_id: str
) -> None:
    vehicle = f"veh-{batch_id}"
    for suffix in ("a", "b"):
        await client.create_batch(vehicle_id=vehicle, batch_id=f"{batch_id}-{suffix}")
    listed = (
        await http.get(
            "/api/v1/batches", params={"vehicle_id": vehicle, "status": "pending", "limit": 1}
        )
    ).json()
    assert listed["total"] == 2 and len(listed["items"]) == 1
    assert listed["items"][0]["vehicle_id"] == vehicle
    bad = await http.get("/api/v1/batches", params={"status": "sleeping"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_input"
