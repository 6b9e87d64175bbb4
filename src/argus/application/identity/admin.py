"""Administration of identity: fleets, vehicles and tokens (the CLI, and admin routes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argus.application.identity.ports import IdentityRepository
from argus.domain.audit import Action, AuditEntry
from argus.domain.errors import InvalidInput, NotFound, Unauthenticated
from argus.domain.identifiers import validate_id
from argus.domain.identity import (
    Caller,
    Principal,
    Role,
    TokenRecord,
    check_admin,
    new_token,
    new_token_id,
    token_hash,
)


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the secret is here once and never stored."""

    secret: str
    record: TokenRecord


class IdentityAdmin:
    """Admin use cases; every change is audited in the same transaction."""

    def __init__(self, *, identities: IdentityRepository) -> None:
        self._identities = identities

    async def create_fleet(self, caller: Caller, fleet_id: str) -> bool:
        """Create `fleet_id`; False if it existed."""
        check_admin(caller.principal)
        validate_id(fleet_id, what="fleet")
        audit = AuditEntry.of(caller, Action.FLEET_CREATE, fleet_id, fleet_id)
        return await self._identities.create_fleet(fleet_id, audit=audit)

    async def add_vehicle(self, caller: Caller, vehicle_id: str, fleet_id: str) -> bool:
        """Register `vehicle_id` in `fleet_id`; False if it was already there."""
        check_admin(caller.principal)
        validate_id(vehicle_id, what="vehicle_id")
        audit = AuditEntry.of(caller, Action.VEHICLE_ADD, vehicle_id, fleet_id)
        return await self._identities.add_vehicle(vehicle_id, fleet_id, audit=audit)

    async def issue(
        self,
        caller: Caller,
        *,
        role: Role,
        fleet_id: str | None = None,
        vehicle_id: str | None = None,
        name: str | None = None,
        expires_in: timedelta | None = None,
    ) -> IssuedToken:
        """A new token for a registered vehicle, an engineer of a fleet, or an admin."""
        check_admin(caller.principal)
        if expires_in is not None and expires_in <= timedelta(0):
            raise InvalidInput("a token's lifetime must be positive")
        if role is Role.VEHICLE:
            if vehicle_id is None:
                raise InvalidInput("a vehicle token names its vehicle")
            fleet_id = await self._identities.vehicle_fleet(vehicle_id)
            if fleet_id is None:
                raise NotFound(f"vehicle {vehicle_id} is not registered (argus vehicle add)")
        elif role is Role.ENGINEER:
            if fleet_id is None or not name:
                raise InvalidInput("an engineer token names the engineer and the fleet")
            if not await self._identities.fleet_exists(fleet_id):
                raise NotFound(f"fleet {fleet_id} not found")
        else:
            fleet_id = None
        token_id = new_token_id()
        principal = Principal(
            token_id=token_id, role=role, fleet_id=fleet_id, vehicle_id=vehicle_id, name=name
        )
        now = datetime.now(UTC)
        secret = new_token()
        record = TokenRecord(
            token_id=token_id,
            token_hash=token_hash(secret),
            principal=principal,
            created_at=now,
            expires_at=None if expires_in is None else now + expires_in,
        )
        audit = AuditEntry.of(caller, Action.TOKEN_CREATE, token_id, fleet_id)
        await self._identities.add_token(record, audit=audit)
        return IssuedToken(secret=secret, record=record)

    async def revoke(self, caller: Caller, token_id: str) -> bool:
        """Revoke a token; False if it already was. NotFound for an unknown id."""
        check_admin(caller.principal)
        audit = AuditEntry.of(caller, Action.TOKEN_REVOKE, token_id, None)
        return await self._identities.revoke_token(token_id, at=datetime.now(UTC), audit=audit)

    async def tokens(self, caller: Caller, fleet_id: str | None) -> list[TokenRecord]:
        """Token records (never secrets), newest first."""
        check_admin(caller.principal)
        return await self._identities.list_tokens(fleet_id)

    async def vehicle_fleet(self, vehicle_id: str) -> str | None:
        """The fleet of a registered vehicle, or None."""
        return await self._identities.vehicle_fleet(vehicle_id)

    async def token_usable(self, secret: str) -> bool:
        """True when `secret` is a stored token that is neither revoked nor expired."""
        record = await self._identities.by_hash(token_hash(secret))
        if record is None:
            return False
        try:
            record.check_usable(datetime.now(UTC))
        except Unauthenticated:
            return False
        return True
