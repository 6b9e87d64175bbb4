"""Who may do what: principals, roles, tokens and the access rules, as pure functions.

Fleets are tenants. A batch belongs to the fleet of its vehicle; nothing crosses fleets, and a
batch the caller may not see does not exist for it (NotFound, never an existence oracle). The
rules are the one home of the access model (docs/decisions/0025-access-model.md).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from argus.domain.errors import Forbidden, NotFound, Unauthenticated

# A recognisable prefix lets secret scanners find leaked tokens; v1 names the format.
TOKEN_PREFIX = "argus_v1_"
_TOKEN_BYTES = 32  # 256 random bits
_TOKEN_BODY_LENGTH = 43  # len(secrets.token_urlsafe(32))
_URLSAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
DEFAULT_FLEET = "default"


class Role(StrEnum):
    VEHICLE = "vehicle"
    ENGINEER = "engineer"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """An authenticated token: its id (never the secret), role and scope."""

    token_id: str
    role: Role
    fleet_id: str | None  # None for admins, who are not members of a fleet
    vehicle_id: str | None = None  # vehicles only
    name: str | None = None  # engineers' display name

    def __post_init__(self) -> None:
        if (self.role is Role.ADMIN) != (self.fleet_id is None):
            raise ValueError("admins have no fleet; every other principal has one")
        if (self.role is Role.VEHICLE) != (self.vehicle_id is not None):
            raise ValueError("a vehicle id belongs to vehicle principals only")


# Who the `argus` CLI acts as: whoever can reach the database is its administrator.
LOCAL_ADMIN = Principal(token_id="local-cli", role=Role.ADMIN, fleet_id=None, name="cli")


@dataclass(frozen=True)
class Caller:
    """A principal making one request, and where it came from (for the audit log)."""

    principal: Principal
    address: str


@dataclass(frozen=True)
class Owner:
    """Whose a batch is: the vehicle that created it and that vehicle's fleet."""

    fleet_id: str
    vehicle_id: str


@dataclass(frozen=True)
class TokenRecord:
    """A stored token: its SHA-256 hash, never the secret."""

    token_id: str
    token_hash: str
    principal: Principal
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None = None

    def check_usable(self, now: datetime) -> Principal:
        """The principal, or Unauthenticated for a revoked or expired token."""
        if self.revoked_at is not None:
            raise Unauthenticated("token revoked")
        if self.expires_at is not None and self.expires_at <= now:
            raise Unauthenticated("token expired")
        return self.principal


def new_token() -> str:
    """A fresh secret: the prefix and 256 random bits, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)


def new_token_id() -> str:
    """The public handle of a token: listed, revoked and audited by it."""
    return "tok_" + secrets.token_hex(8)


def token_hash(raw: str) -> str:
    """SHA-256 hex of the raw token: what is stored, and the key of per-token limits."""
    return hashlib.sha256(raw.encode()).hexdigest()


def check_token_shape(raw: str) -> None:
    """Unauthenticated unless `raw` looks like a token this server issues (no lookup)."""
    body = raw[len(TOKEN_PREFIX) :]
    if (
        not raw.startswith(TOKEN_PREFIX)
        or len(body) != _TOKEN_BODY_LENGTH
        or not _URLSAFE.issuperset(body)
    ):
        raise Unauthenticated("malformed token")


# --- the access rules ---------------------------------------------------------------------


def _deny(principal: Principal, what: str) -> Forbidden:
    return Forbidden(f"a {principal.role.value} token may not {what}")


def check_create_batch(principal: Principal, vehicle_id: str) -> str:
    """The fleet the new batch belongs to; only a vehicle opens batches, and only its own."""
    if principal.role is not Role.VEHICLE:
        raise _deny(principal, "create batches")
    if principal.vehicle_id != vehicle_id:
        raise Forbidden(f"this token may only create batches for vehicle {principal.vehicle_id}")
    assert principal.fleet_id is not None
    return principal.fleet_id


def check_read(principal: Principal, batch_id: str, owner: Owner | None) -> Owner:
    """Engineers read their fleet's batches, vehicles their own; anything else is NotFound."""
    if principal.role is Role.ADMIN:
        raise _deny(principal, "read batches")
    if owner is None or owner.fleet_id != principal.fleet_id:
        raise NotFound(f"batch {batch_id} not found")
    if principal.role is Role.VEHICLE and owner.vehicle_id != principal.vehicle_id:
        # Reads of a fleet mate's batch look like a missing batch: a vehicle learns nothing.
        raise NotFound(f"batch {batch_id} not found")
    return owner


def check_write(principal: Principal, batch_id: str, owner: Owner | None) -> Owner:
    """Upload into and complete a batch: its own vehicle only."""
    if principal.role is not Role.VEHICLE:
        raise _deny(principal, "upload or complete batches")
    if owner is None or owner.fleet_id != principal.fleet_id:
        raise NotFound(f"batch {batch_id} not found")
    if owner.vehicle_id != principal.vehicle_id:
        raise Forbidden(f"batch {batch_id} belongs to another vehicle")
    return owner


def check_feedback(principal: Principal, batch_id: str, owner: Owner | None) -> Owner:
    """Feedback on a diagnosis: engineers of the batch's fleet."""
    if principal.role is not Role.ENGINEER:
        raise _deny(principal, "give diagnosis feedback")
    return check_read(principal, batch_id, owner)


def check_admin(principal: Principal) -> None:
    """Fleets, vehicles, tokens and the audit log: admins only."""
    if principal.role is not Role.ADMIN:
        raise _deny(principal, "use admin routes")


def visible_scope(principal: Principal) -> tuple[str, str | None]:
    """What a list may show: (fleet, own vehicle) for a vehicle, (fleet, None) for an engineer."""
    if principal.role is Role.ADMIN:
        raise _deny(principal, "read batches")
    assert principal.fleet_id is not None
    return principal.fleet_id, principal.vehicle_id
