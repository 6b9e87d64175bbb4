"""Fixtures of the security suite: the HTTP app over the real PostgreSQL and Redis, and two
fleets with their vehicles, engineers and an admin (tokens provisioned in the database).

Fleet A has vehicles a1 and a2 and an engineer; fleet B has vehicle b1 and an engineer. Ids
carry a per-session suffix: the suite shares the integration tier's database.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from argus.bootstrap import Adapters
from argus.entrypoints.http import http_services
from argus.interfaces.http.app import create_app
from tests.identity import Identities

_SUFFIX = uuid.uuid4().hex[:6]


@dataclass(frozen=True)
class Tenants:
    """Who is who in the suite: ids and their bearer headers."""

    ids: Identities
    fleet_a: str
    fleet_b: str
    a1: str
    a2: str
    b1: str
    tokens: dict[str, str]

    def as_(self, who: str) -> dict[str, str]:
        """The Authorization header of `who` (a1, a2, b1, eng_a, eng_b, admin)."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture(scope="session")
async def tenants(adapters: Adapters) -> Tenants:
    ids = Identities(adapters.pool, fleet=f"sec-a-{_SUFFIX}")
    fleet_a, fleet_b = f"sec-a-{_SUFFIX}", f"sec-b-{_SUFFIX}"
    a1, a2, b1 = f"sec-a1-{_SUFFIX}", f"sec-a2-{_SUFFIX}", f"sec-b1-{_SUFFIX}"
    tokens = {
        "a1": await ids.vehicle(a1, fleet=fleet_a),
        "a2": await ids.vehicle(a2, fleet=fleet_a),
        "b1": await ids.vehicle(b1, fleet=fleet_b),
        "eng_a": await ids.engineer(fleet_a),
        "eng_b": await ids.engineer(fleet_b),
        "admin": await ids.admin_token(),
    }
    return Tenants(ids, fleet_a, fleet_b, a1, a2, b1, tokens)


@pytest.fixture
async def api(adapters: Adapters) -> AsyncIterator[httpx.AsyncClient]:
    """The app in process over the real servers; requests carry no token unless given one."""
    app = create_app(http_services(adapters))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://argus") as client:
        yield client


async def open_batch(
    api: httpx.AsyncClient, tenants: Tenants, who: str, batch_id: str, *, files: int = 1
) -> None:
    """A pending batch of vehicle `who` with `files` small files."""
    vehicle = getattr(tenants, who)
    created = await api.post(
        "/api/v1/batches",
        json={"vehicle_id": vehicle, "batch_id": batch_id},
        headers=tenants.as_(who),
    )
    assert created.status_code == 201, created.text
    for n in range(files):
        put = await api.put(
            f"/api/v1/batches/{batch_id}/files/part-{n}.mcap",
            content=f"bytes of {who} {n}".encode(),
            headers=tenants.as_(who),
        )
        assert put.status_code == 201, put.text


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    """Status, content type and the JSON error body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


async def files_of(adapters: Adapters, batch_id: str) -> list[tuple[str, str, str]]:
    """(name, sha256, blob key) of every file row: what a denied write must leave as it was."""
    rows = await adapters.pool.fetch(
        "SELECT name, sha256, blob_key FROM files WHERE batch_id = $1 ORDER BY name", batch_id
    )
    return [(r["name"], r["sha256"], r["blob_key"]) for r in rows]


async def status_of(adapters: Adapters, batch_id: str) -> str | None:
    found: str | None = await adapters.pool.fetchval(
        "SELECT status FROM batches WHERE batch_id = $1", batch_id
    )
    return found
