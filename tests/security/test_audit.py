"""The audit log: every write leaves a row (who, what, when, from where); admins page it."""

from __future__ import annotations

import httpx
import pytest

from argus.domain.identity import LOCAL_ADMIN, Caller
from tests.security.conftest import Tenants, open_batch

pytestmark = pytest.mark.integration


async def _audit(
    api: httpx.AsyncClient, tenants: Tenants, **params: str
) -> list[dict[str, object]]:
    response = await api.get("/api/v1/admin/audit", params=params, headers=tenants.as_("admin"))
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


async def test_create_upload_and_complete_each_leave_one_row(
    api: httpx.AsyncClient, tenants: Tenants, batch_id: str
) -> None:
    await open_batch(api, tenants, "a1", batch_id, files=2)
    done = await api.post(f"/api/v1/batches/{batch_id}/complete", headers=tenants.as_("a1"))
    assert done.status_code == 202
    rows = [
        r
        for r in await _audit(api, tenants, fleet_id=tenants.fleet_a, limit="500")
        if str(r["target"]).startswith(batch_id)
    ]
    assert sorted((r["action"], r["target"]) for r in rows) == [
        ("batch.complete", batch_id),
        ("batch.create", batch_id),
        ("file.upload", f"{batch_id}/part-0.mcap"),
        ("file.upload", f"{batch_id}/part-1.mcap"),
    ]
    for row in rows:
        assert row["role"] == "vehicle" and row["client"] == "127.0.0.1"
        assert str(row["token_id"]).startswith("tok_")
        assert row["fleet_id"] == tenants.fleet_a


async def test_denied_writes_leave_no_row(
    api: httpx.AsyncClient, tenants: Tenants, batch_id: str
) -> None:
    await open_batch(api, tenants, "a1", batch_id, files=0)
    before = await _audit(api, tenants, fleet_id=tenants.fleet_a)
    await api.post(f"/api/v1/batches/{batch_id}/complete", headers=tenants.as_("a2"))
    await api.post(f"/api/v1/batches/{batch_id}/complete")
    assert await _audit(api, tenants, fleet_id=tenants.fleet_a) == before


async def test_admin_changes_are_audited_and_the_log_pages_and_filters(
    api: httpx.AsyncClient, tenants: Tenants, batch_id: str
) -> None:
    admin = tenants.ids.admin
    caller = Caller(LOCAL_ADMIN, "cli:tests")
    fleet = f"audit-{batch_id}"
    await admin.create_fleet(caller, fleet)
    await admin.add_vehicle(caller, f"v-{batch_id}", fleet)
    first = await _audit(api, tenants, fleet_id=fleet, limit="1")
    assert [(r["action"], r["client"]) for r in first] == [("vehicle.add", "cli:tests")]
    rest = await _audit(api, tenants, fleet_id=fleet, before_id=str(first[0]["id"]))
    assert [r["action"] for r in rest] == ["fleet.create"]
    only = await _audit(api, tenants, action="fleet.create", fleet_id=fleet)
    assert [r["target"] for r in only] == [fleet]
