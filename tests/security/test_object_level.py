"""OWASP API1, object-level authorization: nothing crosses fleets (404, no existence oracle);
another vehicle's batch in the same fleet is 403 for writes and 404 for reads."""

from __future__ import annotations

import httpx
import pytest

from argus.bootstrap import Adapters
from tests.security.conftest import Tenants, assert_error, files_of, open_batch, status_of

pytestmark = pytest.mark.integration

READS = ("/api/v1/batches/{id}", "/api/v1/batches/{id}/report", "/api/report/{id}",
         "/api/v1/batches/{id}/events")  # fmt: skip


@pytest.mark.parametrize("path", READS)
async def test_another_fleets_batch_is_404_on_every_read_route(
    api: httpx.AsyncClient, tenants: Tenants, batch_id: str, path: str
) -> None:
    await open_batch(api, tenants, "a1", batch_id)
    url = path.format(id=batch_id)
    for who in ("eng_b", "b1"):
        assert_error(await api.get(url, headers=tenants.as_(who)), 404, "not_found")
    # The same answer as for a batch that does not exist at all: no oracle.
    unknown = await api.get(path.format(id=f"{batch_id}-none"), headers=tenants.as_("eng_b"))
    assert_error(unknown, 404, "not_found")
    if not path.endswith("/events"):  # an allowed stream never ends while the batch is open
        assert (await api.get(url, headers=tenants.as_("eng_a"))).status_code in (200, 202)


async def assert_overwrite_refused(
    api: httpx.AsyncClient, adapters: Adapters, tenants: Tenants, batch_id: str, who: str,
    status: int, code: str,
) -> None:  # fmt: skip
    """`who` replaces a1's file and completes a1's batch: refused, nothing changed or lost."""
    await open_batch(api, tenants, "a1", batch_id)
    before = await files_of(adapters, batch_id)
    put = await api.put(
        f"/api/v1/batches/{batch_id}/files/part-0.mcap",
        content=f"{who} overwrites".encode(),
        headers=tenants.as_(who),
    )
    assert_error(put, status, code)
    done = await api.post(f"/api/v1/batches/{batch_id}/complete", headers=tenants.as_(who))
    assert_error(done, status, code)
    assert await files_of(adapters, batch_id) == before
    assert await status_of(adapters, batch_id) == "pending"
    for _name, _sha, blob_key in before:
        assert await adapters.blobs.exists(blob_key)


async def test_vehicle_b_cannot_replace_vehicle_a_files_across_fleets(
    api: httpx.AsyncClient, adapters: Adapters, tenants: Tenants, batch_id: str
) -> None:
    await assert_overwrite_refused(api, adapters, tenants, batch_id, "b1", 404, "not_found")


async def test_a_fleet_mate_may_not_write_into_anothers_batch_and_reads_see_nothing(
    api: httpx.AsyncClient, adapters: Adapters, tenants: Tenants, batch_id: str
) -> None:
    await assert_overwrite_refused(api, adapters, tenants, batch_id, "a2", 403, "forbidden")
    for path in READS:
        got = await api.get(path.format(id=batch_id), headers=tenants.as_("a2"))
        assert_error(got, 404, "not_found")


async def test_a_vehicle_creates_batches_for_itself_only(
    api: httpx.AsyncClient, adapters: Adapters, tenants: Tenants, batch_id: str
) -> None:
    for vehicle in (tenants.a2, tenants.b1, "veh-not-registered"):
        response = await api.post(
            "/api/v1/batches",
            json={"vehicle_id": vehicle, "batch_id": batch_id},
            headers=tenants.as_("a1"),
        )
        assert_error(response, 403, "forbidden")
    assert await status_of(adapters, batch_id) is None


async def test_a_batch_id_of_another_fleet_is_a_conflict_that_names_nobody(
    api: httpx.AsyncClient, adapters: Adapters, tenants: Tenants, batch_id: str
) -> None:
    await open_batch(api, tenants, "a1", batch_id)
    taken = await api.post(
        "/api/v1/batches",
        json={"vehicle_id": tenants.b1, "batch_id": batch_id},
        headers=tenants.as_("b1"),
    )
    assert_error(taken, 409, "conflict")
    assert tenants.a1 not in taken.text and tenants.fleet_a not in taken.text
    owner = await adapters.pool.fetchval(
        "SELECT vehicle_id FROM batches WHERE batch_id = $1", batch_id
    )
    assert owner == tenants.a1


async def test_lists_show_only_what_the_caller_may_read(
    api: httpx.AsyncClient, tenants: Tenants, batch_id: str
) -> None:
    mine, mate, other = f"{batch_id}-a1", f"{batch_id}-a2", f"{batch_id}-b1"
    await open_batch(api, tenants, "a1", mine, files=0)
    await open_batch(api, tenants, "a2", mate, files=0)
    await open_batch(api, tenants, "b1", other, files=0)

    async def listed(who: str, **params: str) -> set[str]:
        response = await api.get(
            "/api/v1/batches", params={"limit": "200", **params}, headers=tenants.as_(who)
        )
        assert response.status_code == 200, response.text
        return {item["batch_id"] for item in response.json()["items"]}

    ours = {mine, mate, other}
    assert await listed("eng_a") & ours == {mine, mate}
    assert await listed("eng_b") & ours == {other}
    assert await listed("a1") & ours == {mine}
    assert await listed("a1", vehicle_id=tenants.a2) == set()
    assert await listed("eng_a", vehicle_id=tenants.b1) == set()
