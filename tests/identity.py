"""Test identities: a fleet with tokens provisioned in the database, and an httpx auth that
sends the owning vehicle's token on writes and an engineer's token on reads.

Existing tests keep their shape: they make requests as before and `FleetAuth` adds the
`Authorization` header the access model asks for (a request that sets its own is left alone).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator
from datetime import timedelta

import asyncpg
import httpx

from argus.application.identity import IdentityAdmin
from argus.bootstrap import identity_admin
from argus.domain.identity import LOCAL_ADMIN, Caller, Role

TEST_FLEET = "test-fleet"
_DEFAULT_VEHICLE = "veh-default"
_CALLER = Caller(principal=LOCAL_ADMIN, address="tests")
_WRITE = re.compile(r"^/api/v1/batches/([^/]+)/(files/.+|complete)$")
_BATCH_PATH = re.compile(r"^/api/(?:v1/batches|report)/([^/]+)")


class Identities:
    """Fleets, vehicles and tokens of one database, created on demand and remembered."""

    def __init__(self, pool: asyncpg.Pool, fleet: str = TEST_FLEET) -> None:
        self.pool = pool
        self.fleet = fleet
        self.admin: IdentityAdmin = identity_admin(pool)
        self._tokens: dict[tuple[str, str], str] = {}
        self._owners: dict[str, tuple[str, str]] = {}

    async def fleet_ready(self, fleet: str | None = None) -> str:
        fleet = fleet or self.fleet
        await self.admin.create_fleet(_CALLER, fleet)
        return fleet

    async def vehicle(self, vehicle_id: str, *, fleet: str | None = None) -> str:
        """The token of `vehicle_id` (registered in `fleet` on first use)."""
        key = ("vehicle", vehicle_id)
        if key not in self._tokens:
            fleet = await self.fleet_ready(fleet)
            await self.admin.add_vehicle(_CALLER, vehicle_id, fleet)
            issued = await self.admin.issue(_CALLER, role=Role.VEHICLE, vehicle_id=vehicle_id)
            self._tokens[key] = issued.secret
        return self._tokens[key]

    async def engineer(self, fleet: str | None = None, *, name: str = "tess") -> str:
        fleet = fleet or self.fleet
        key = ("engineer", f"{fleet}/{name}")
        if key not in self._tokens:
            await self.fleet_ready(fleet)
            issued = await self.admin.issue(_CALLER, role=Role.ENGINEER, fleet_id=fleet, name=name)
            self._tokens[key] = issued.secret
        return self._tokens[key]

    async def admin_token(self) -> str:
        key = ("admin", "")
        if key not in self._tokens:
            self._tokens[key] = (await self.admin.issue(_CALLER, role=Role.ADMIN)).secret
        return self._tokens[key]

    async def new_token(
        self, role: Role, *, vehicle_id: str | None = None, expires_in: timedelta | None = None
    ) -> tuple[str, str]:
        """A fresh token (not remembered): (secret, token id)."""
        fleet = await self.fleet_ready()
        if vehicle_id is not None:
            await self.admin.add_vehicle(_CALLER, vehicle_id, fleet)
        issued = await self.admin.issue(
            _CALLER,
            role=role,
            fleet_id=None if role is Role.ADMIN else fleet,
            vehicle_id=vehicle_id,
            name="probe" if role is Role.ENGINEER else None,
            expires_in=expires_in,
        )
        return issued.secret, issued.record.token_id

    async def owner_of(self, batch_id: str) -> tuple[str, str] | None:
        """(fleet, vehicle) of a batch, remembered (owners never change)."""
        if batch_id not in self._owners:
            row = await self.pool.fetchrow(
                "SELECT fleet_id, vehicle_id FROM batches WHERE batch_id = $1", batch_id
            )
            if row is None:
                return None
            self._owners[batch_id] = (row["fleet_id"], row["vehicle_id"])
        return self._owners[batch_id]

    async def token_for(self, request: httpx.Request) -> str:
        """The owning vehicle's token for its writes, an engineer of the batch's fleet else."""
        path, method = request.url.path, request.method
        if method == "POST" and path == "/api/v1/batches":
            try:
                vehicle = str(json.loads(request.content)["vehicle_id"])
            except (ValueError, KeyError, TypeError):  # a bad body: the API will say 400
                vehicle = _DEFAULT_VEHICLE
            return await self.vehicle(vehicle)
        about = _BATCH_PATH.match(path)
        owner = None if about is None else await self.owner_of(about.group(1))
        if _WRITE.match(path) and method in {"PUT", "POST"}:
            if owner is None:
                return await self.vehicle(_DEFAULT_VEHICLE)
            return await self.vehicle(owner[1], fleet=owner[0])
        return await self.engineer(None if owner is None else owner[0])


class FleetAuth(httpx.Auth):
    """Adds the right bearer token to each request (see `Identities.token_for`)."""

    def __init__(self, identities: Identities) -> None:
        self._identities = identities

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if "authorization" not in request.headers:
            token = await self._identities.token_for(request)
            request.headers["Authorization"] = f"Bearer {token}"
        yield request


async def open_identities(dsn: str) -> tuple[Identities, asyncpg.Pool]:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    assert pool is not None
    return Identities(pool), pool
