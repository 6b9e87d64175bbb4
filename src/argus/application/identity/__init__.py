"""Identity and access: authentication, guarded use cases, administration and audit.

The HTTP layer only ever receives the guarded facades of `guards` (each call takes the caller),
so a route cannot reach a use case without the access check (docs/decisions/0025-access-model.md).
"""

from argus.application.identity.admin import IdentityAdmin, IssuedToken
from argus.application.identity.authentication import Authenticator
from argus.application.identity.guards import (
    AuditQueries,
    GuardedFeedback,
    GuardedIngest,
    GuardedReads,
    OwnerLookup,
)
from argus.application.identity.ports import AuditLog, IdentityRepository, TokenRepository

__all__ = [
    "AuditLog",
    "AuditQueries",
    "Authenticator",
    "GuardedFeedback",
    "GuardedIngest",
    "GuardedReads",
    "IdentityAdmin",
    "IdentityRepository",
    "IssuedToken",
    "OwnerLookup",
    "TokenRepository",
]
