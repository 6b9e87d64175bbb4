"""PostgreSQL adapters of the identity ports: fleets, vehicles, tokens and the audit log."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from argus.domain.audit import Action, AuditEntry
from argus.domain.errors import Conflict, NotFound
from argus.domain.identity import Principal, Role, TokenRecord
from argus.infrastructure.postgres._errors import connection

_TOKEN_COLUMNS = (
    "token_id, token_hash, role, fleet_id, vehicle_id, name, created_at, expires_at, revoked_at"
)
_INSERT_AUDIT = (
    "INSERT INTO audit_log (token_id, role, fleet_id, action, target, client)"
    " VALUES ($1, $2, $3, $4, $5, $6)"
)


async def _audit(conn: asyncpg.Connection, entry: AuditEntry) -> None:
    await conn.execute(
        _INSERT_AUDIT,
        entry.token_id,
        entry.role,
        entry.fleet_id,
        entry.action.value,
        entry.target,
        entry.client,
    )


def _token(row: asyncpg.Record) -> TokenRecord:
    principal = Principal(
        token_id=row["token_id"],
        role=Role(row["role"]),
        fleet_id=row["fleet_id"],
        vehicle_id=row["vehicle_id"],
        name=row["name"],
    )
    return TokenRecord(
        token_id=row["token_id"],
        token_hash=row["token_hash"],
        principal=principal,
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


class PostgresIdentityRepository:
    """Identity rows; each change and its audit row commit together."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def by_hash(self, token_hash: str) -> TokenRecord | None:
        async with connection(self._pool) as conn:
            row = await conn.fetchrow(
                f"SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1", token_hash
            )
        return None if row is None else _token(row)

    async def create_fleet(self, fleet_id: str, *, audit: AuditEntry) -> bool:
        async with connection(self._pool) as conn, conn.transaction():
            created = await conn.fetchval(
                "INSERT INTO fleets (fleet_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1",
                fleet_id,
            )
            if created:
                await _audit(conn, audit)
        return created is not None

    async def add_vehicle(self, vehicle_id: str, fleet_id: str, *, audit: AuditEntry) -> bool:
        async with connection(self._pool) as conn, conn.transaction():
            if not await conn.fetchval("SELECT 1 FROM fleets WHERE fleet_id = $1", fleet_id):
                raise NotFound(f"fleet {fleet_id} not found")
            inserted = await conn.fetchval(
                "INSERT INTO vehicles (vehicle_id, fleet_id) VALUES ($1, $2)"
                " ON CONFLICT (vehicle_id) DO NOTHING RETURNING 1",
                vehicle_id,
                fleet_id,
            )
            if inserted is None:
                existing = await conn.fetchval(
                    "SELECT fleet_id FROM vehicles WHERE vehicle_id = $1", vehicle_id
                )
                if existing != fleet_id:  # a vehicle never moves between tenants
                    raise Conflict(f"vehicle {vehicle_id} belongs to another fleet")
                return False
            await _audit(conn, audit)
        return True

    async def vehicle_fleet(self, vehicle_id: str) -> str | None:
        async with connection(self._pool) as conn:
            found: str | None = await conn.fetchval(
                "SELECT fleet_id FROM vehicles WHERE vehicle_id = $1", vehicle_id
            )
        return found

    async def fleet_exists(self, fleet_id: str) -> bool:
        async with connection(self._pool) as conn:
            return bool(await conn.fetchval("SELECT 1 FROM fleets WHERE fleet_id = $1", fleet_id))

    async def add_token(self, record: TokenRecord, *, audit: AuditEntry) -> None:
        p = record.principal
        async with connection(self._pool) as conn, conn.transaction():
            await conn.execute(
                f"INSERT INTO api_tokens ({_TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7,"
                " $8, $9)",
                record.token_id,
                record.token_hash,
                p.role.value,
                p.fleet_id,
                p.vehicle_id,
                p.name,
                record.created_at,
                record.expires_at,
                record.revoked_at,
            )
            await _audit(conn, audit)

    async def revoke_token(self, token_id: str, *, at: datetime, audit: AuditEntry) -> bool:
        async with connection(self._pool) as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT fleet_id, revoked_at FROM api_tokens WHERE token_id = $1 FOR UPDATE",
                token_id,
            )
            if row is None:
                raise NotFound(f"token {token_id} not found")
            if row["revoked_at"] is not None:
                return False
            await conn.execute(
                "UPDATE api_tokens SET revoked_at = $2 WHERE token_id = $1", token_id, at
            )
            await _audit(conn, _in_fleet(audit, row["fleet_id"]))
        return True

    async def list_tokens(self, fleet_id: str | None) -> list[TokenRecord]:
        async with connection(self._pool) as conn:
            rows = await conn.fetch(
                f"SELECT {_TOKEN_COLUMNS} FROM api_tokens"
                " WHERE ($1::text IS NULL OR fleet_id = $1) ORDER BY created_at DESC, token_id",
                fleet_id,
            )
        return [_token(r) for r in rows]


def _in_fleet(entry: AuditEntry, fleet_id: str | None) -> AuditEntry:
    return AuditEntry(
        token_id=entry.token_id,
        role=entry.role,
        fleet_id=fleet_id,
        action=entry.action,
        target=entry.target,
        client=entry.client,
    )


class PostgresAuditLog:
    """The audit table: appended by writes, paged by admins."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def record(self, entry: AuditEntry) -> None:
        async with connection(self._pool) as conn:
            await _audit(conn, entry)

    async def page(
        self, *, fleet_id: str | None, action: str | None, before_id: int | None, limit: int
    ) -> list[AuditEntry]:
        async with connection(self._pool) as conn:
            rows = await conn.fetch(
                "SELECT id, at, token_id, role, fleet_id, action, target, client FROM audit_log"
                " WHERE ($1::text IS NULL OR fleet_id = $1) AND ($2::text IS NULL OR action = $2)"
                " AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4",
                fleet_id,
                action,
                before_id,
                limit,
            )
        return [
            AuditEntry(
                token_id=r["token_id"],
                role=r["role"],
                fleet_id=r["fleet_id"],
                action=Action(r["action"]),
                target=r["target"],
                client=r["client"],
                at=r["at"],
                entry_id=r["id"],
            )
            for r in rows
        ]
