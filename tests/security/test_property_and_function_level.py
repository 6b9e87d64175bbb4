"""OWASP API3 (property level: mass assignment, report fields per role) and API5 (function
level: vehicles and engineers on admin routes, admins on batch routes, feedback by role)."""

from __future__ import annotations

import httpx
import pytest

from argus.bootstrap import Adapters
from tests.security.conftest import Tenants, assert_error, open_batch, status_of

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "extra", [{"fleet_id": "sec-b"}, {"status": "completed"}, {"owner": "x"}, {"version": 9}]
)
async def test_a_create_body_with_server_owned_fields_is_400_and_creates_nothing(
    api: httpx.AsyncClient,
    adapters: Adapters,
    tenants: Tenants,
    batch_id: str,
    extra: dict[str, object],
) -> None:
    body = {"vehicle_id": tenants.a1, "batch_id": batch_id, **extra}
    response = await api.post("/api/v1/batches", json=body, headers=tenants.as_("a1"))
    assert_error(response, 400, "invalid_input")
    assert await status_of(adapters, batch_id) is None


async def test_the_batch_fleet_comes_from_the_token_never_from_the_client(
    api: httpx.AsyncClient, adapters: Adapters, tenants: Tenants, batch_id: str
) -> None:
    await open_batch(api, tenants, "a1", batch_id, files=0)
    fleet = await adapters.pool.fetchval(
        "SELECT fleet_id FROM batches WHERE batch_id = $1", batch_id
    )
    assert fleet == tenants.fleet_a


async def test_the_vehicle_and_the_engineer_see_the_same_report_fields(
    api: httpx.AsyncClient, tenants: Tenants, batch_id: str
) -> None:
    await open_batch(api, tenants, "a1", batch_id)
    by_vehicle = await api.get(f"/api/report/{batch_id}", headers=tenants.as_("a1"))
    by_engineer = await api.get(f"/api/report/{batch_id}", headers=tenants.as_("eng_a"))
    assert by_vehicle.status_code == by_engineer.status_code == 202
    assert by_vehicle.json() == by_engineer.json()
    assert set(by_vehicle.json()) == {"batch_id", "vehicle_id", "status"}


@pytest.mark.parametrize("who", ["a1", "eng_a"])
async def test_vehicles_and_engineers_may_not_read_the_audit_log(
    api: httpx.AsyncClient, tenants: Tenants, who: str
) -> None:
    response = await api.get("/api/v1/admin/audit", headers=tenants.as_(who))
    assert_error(response, 403, "forbidden")


async def test_an_admin_token_is_no_batch_reader_or_writer(
    api: httpx.AsyncClient, adapters: Adapters, tenants: Tenants, batch_id: str
) -> None:
    await open_batch(api, tenants, "a1", batch_id)
    admin = tenants.as_("admin")
    for path in ("/api/v1/batches", f"/api/v1/batches/{batch_id}", f"/api/report/{batch_id}"):
        assert_error(await api.get(path, headers=admin), 403, "forbidden")
    done = await api.post(f"/api/v1/batches/{batch_id}/complete", headers=admin)
    assert_error(done, 403, "forbidden")
    created = await api.post(
        "/api/v1/batches", json={"vehicle_id": tenants.a1, "batch_id": f"{batch_id}-x"},
        headers=admin,
    )  # fmt: skip
    assert_error(created, 403, "forbidden")
    assert await status_of(adapters, batch_id) == "pending"


async def test_engineers_do_not_upload_and_vehicles_do_not_give_feedback(
    api: httpx.AsyncClient, adapters: Adapters, tenants: Tenants, batch_id: str
) -> None:
    await open_batch(api, tenants, "a1", batch_id)
    put = await api.put(
        f"/api/v1/batches/{batch_id}/files/x.mcap", content=b"x", headers=tenants.as_("eng_a")
    )
    assert_error(put, 403, "forbidden")
    feedback = await api.post(
        f"/api/v1/batches/{batch_id}/diagnosis/feedback",
        json={"verdict": "confirmed"},
        headers=tenants.as_("a1"),
    )
    assert_error(feedback, 403, "forbidden")
    rows = await adapters.pool.fetchval(
        "SELECT count(*) FROM diagnosis_feedback WHERE batch_id = $1", batch_id
    )
    assert rows == 0


async def test_another_fleets_engineer_gives_no_feedback(
    api: httpx.AsyncClient, tenants: Tenants, batch_id: str
) -> None:
    await open_batch(api, tenants, "a1", batch_id)
    feedback = await api.post(
        f"/api/v1/batches/{batch_id}/diagnosis/feedback",
        json={"verdict": "confirmed"},
        headers=tenants.as_("eng_b"),
    )
    assert_error(feedback, 404, "not_found")
