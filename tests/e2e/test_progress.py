"""Server-Sent Events: a client that reconnects with Last-Event-ID misses nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from argus.cli.client import ArgusClient
from tests.e2e.helpers import follow_to_end, upload_batch

pytestmark = pytest.mark.e2e


async def test_reconnect_with_last_event_id_receives_exactly_the_missed_events(
    client: ArgusClient, drive: list[Path], batch_id: str
) -> None:
    await upload_batch(client, batch_id, drive)
    everything = await follow_to_end(client, batch_id)
    assert len(everything) >= 8
    ids = [event_id for event_id, _ in everything]
    assert len(set(ids)) == len(ids)
    for cut in (0, 3, len(everything) - 2):
        resumed = await follow_to_end(client, batch_id, last_event_id=ids[cut])
        assert resumed == everything[cut + 1 :]


async def test_every_event_carries_json_and_status_events_carry_status(
    client: ArgusClient, drive: list[Path], batch_id: str
) -> None:
    await upload_batch(client, batch_id, drive[:1])
    events = await follow_to_end(client, batch_id)
    assert all(isinstance(data, dict) and "type" in data for _, data in events)
    assert all("status" in data for _, data in events if data["type"] == "status")
    assert events[-1][1]["status"] == "completed"


async def test_a_malformed_last_event_id_is_400(http: httpx.AsyncClient, batch_id: str) -> None:
    await http.post("/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": batch_id})
    response = await http.get(
        f"/api/v1/batches/{batch_id}/events", headers={"Last-Event-ID": "yesterday"}
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_input"
