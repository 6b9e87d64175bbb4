"""The audit log: who wrote what, when and from where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from argus.domain.identity import Caller


class Action(StrEnum):
    """Every write that leaves an audit row."""

    BATCH_CREATE = "batch.create"
    FILE_UPLOAD = "file.upload"
    BATCH_COMPLETE = "batch.complete"
    FEEDBACK = "diagnosis.feedback"
    FLEET_CREATE = "fleet.create"
    VEHICLE_ADD = "vehicle.add"
    TOKEN_CREATE = "token.create"
    TOKEN_REVOKE = "token.revoke"


@dataclass(frozen=True)
class AuditEntry:
    """One write: the token and role that made it, the action and its target, the client."""

    token_id: str
    role: str
    fleet_id: str | None  # the fleet the target belongs to (None: deployment-wide)
    action: Action
    target: str
    client: str
    at: datetime | None = None  # set by the store
    entry_id: int | None = None

    @classmethod
    def of(cls, caller: Caller, action: Action, target: str, fleet_id: str | None) -> AuditEntry:
        principal = caller.principal
        return cls(
            token_id=principal.token_id,
            role=principal.role.value,
            fleet_id=fleet_id,
            action=action,
            target=target,
            client=caller.address,
        )
