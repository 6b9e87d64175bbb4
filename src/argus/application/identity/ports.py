"""Ports of identity: tokens, fleets and vehicles, and the audit log (PostgreSQL adapters)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from argus.domain.audit import AuditEntry
from argus.domain.identity import TokenRecord


class TokenRepository(Protocol):
    """The hot path of authentication: one lookup by hash."""

    async def by_hash(self, token_hash: str) -> TokenRecord | None:
        """The token stored under `token_hash` (revoked and expired ones too), or None."""


class IdentityRepository(TokenRepository, Protocol):
    """Fleets, vehicles and tokens; each change commits with its audit row."""

    async def create_fleet(self, fleet_id: str, *, audit: AuditEntry) -> bool:
        """Create a fleet; False if it existed."""

    async def add_vehicle(self, vehicle_id: str, fleet_id: str, *, audit: AuditEntry) -> bool:
        """Register a vehicle in a fleet; False if it was already there.

        NotFound for an unknown fleet, Conflict for a vehicle of another fleet."""

    async def vehicle_fleet(self, vehicle_id: str) -> str | None:
        """The fleet of a registered vehicle, or None."""

    async def fleet_exists(self, fleet_id: str) -> bool: ...

    async def add_token(self, record: TokenRecord, *, audit: AuditEntry) -> None:
        """Store a new token (its hash only)."""

    async def revoke_token(self, token_id: str, *, at: datetime, audit: AuditEntry) -> bool:
        """Revoke a token; False if it was already revoked. NotFound for an unknown id."""

    async def list_tokens(self, fleet_id: str | None) -> list[TokenRecord]:
        """Tokens newest first (all fleets when None)."""


class AuditLog(Protocol):
    async def record(self, entry: AuditEntry) -> None:
        """Append one row."""

    async def page(
        self, *, fleet_id: str | None, action: str | None, before_id: int | None, limit: int
    ) -> list[AuditEntry]:
        """Newest first, ids below `before_id` when given."""
