"""The access model against a real `argus serve`: the issue's probes over the network."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from argus.cli.client import ArgusClient
from argus.domain.identity import Role
from tests.e2e.conftest import RunningServer
from tests.e2e.helpers import follow_to_end, statuses, upload_batch
from tests.identity import Identities

pytestmark = pytest.mark.e2e


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_without_a_token_every_route_but_healthz_is_401(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as anonymous:
        for method, path in [
            ("POST", "/api/v1/batches"),
            ("GET", "/api/v1/batches"),
            ("GET", "/api/report/batch-101"),
            ("GET", "/api/v1/batches/batch-101/events"),
            ("PUT", "/api/v1/batches/batch-101/files/a.mcap"),
            ("GET", "/docs"),
            ("GET", "/openapi.json"),
        ]:
            response = await anonymous.request(method, path)
            assert response.status_code == 401, (path, response.text)
            assert response.json()["error"]["code"] == "unauthenticated"
            assert response.headers["www-authenticate"].startswith("Bearer")
        assert (await anonymous.get("/healthz")).status_code == 200


async def test_another_fleets_vehicle_cannot_replace_a_file_or_follow_the_batch(
    client: ArgusClient,
    http: httpx.AsyncClient,
    identities: Identities,
    server: RunningServer,
    drive: list[Path],
    batch_id: str,
) -> None:
    await upload_batch(client, batch_id, drive[:1], complete=False)
    before = (await http.get(f"/api/v1/batches/{batch_id}")).json()
    other_fleet = f"other-{batch_id}"
    await identities.fleet_ready(other_fleet)
    intruder = await identities.vehicle(f"intruder-{batch_id}", fleet=other_fleet)
    stranger = await identities.engineer(other_fleet)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as raw:
        put = await raw.put(
            f"/api/v1/batches/{batch_id}/files/{drive[0].name}",
            content=b"replaced",
            headers=bearer(intruder),
        )
        assert put.status_code == 404 and put.json()["error"]["code"] == "not_found"
        events = await raw.get(f"/api/v1/batches/{batch_id}/events", headers=bearer(stranger))
        assert events.status_code == 404
        report = await raw.get(f"/api/report/{batch_id}", headers=bearer(stranger))
        assert report.status_code == 404
    assert (await http.get(f"/api/v1/batches/{batch_id}")).json() == before
    await client.complete(batch_id)
    assert statuses(await follow_to_end(client, batch_id))[-1] == "completed"


async def test_a_vehicle_follows_and_reads_its_own_batch(
    identities: Identities, server: RunningServer, drive: list[Path], batch_id: str
) -> None:
    token, _ = await identities.new_token(Role.VEHICLE, vehicle_id=f"own-{batch_id}")
    async with httpx.AsyncClient(
        base_url=server.base_url, timeout=httpx.Timeout(30, read=120), headers=bearer(token)
    ) as own:
        client = ArgusClient(own)
        await client.create_batch(vehicle_id=f"own-{batch_id}", batch_id=batch_id)
        await client.upload(batch_id, drive[0], on_bytes=lambda _n: None)
        await client.complete(batch_id)
        assert statuses(await follow_to_end(client, batch_id))[-1] == "completed"
        status, report = await client.report(batch_id)
        assert status == 200 and report["vehicle_id"] == f"own-{batch_id}"
