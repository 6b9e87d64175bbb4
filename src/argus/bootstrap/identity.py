"""Identity wired to PostgreSQL: the authenticator, the guarded facades and administration."""

from __future__ import annotations

import asyncpg

from argus.application.identity import (
    AuditQueries,
    Authenticator,
    GuardedFeedback,
    GuardedIngest,
    GuardedReads,
    IdentityAdmin,
    OwnerLookup,
)
from argus.application.report_memory import ReportMemory
from argus.bootstrap.connect import Adapters
from argus.bootstrap.diagnosis import feedback_service
from argus.bootstrap.wiring import ingest_service, progress_feed, report_query
from argus.infrastructure.postgres.identity_repository import (
    PostgresAuditLog,
    PostgresIdentityRepository,
)


def authenticator(a: Adapters) -> Authenticator:
    return Authenticator(
        tokens=PostgresIdentityRepository(a.pool), cache_s=a.settings.auth.token_cache_s
    )


def identity_admin(pool: asyncpg.Pool) -> IdentityAdmin:
    return IdentityAdmin(identities=PostgresIdentityRepository(pool))


def audit_log(pool: asyncpg.Pool) -> PostgresAuditLog:
    return PostgresAuditLog(pool)


def guarded_ingest(a: Adapters, owners: OwnerLookup) -> GuardedIngest:
    return GuardedIngest(ingest=ingest_service(a), owners=owners, audit=audit_log(a.pool))


def guarded_reads(
    a: Adapters, owners: OwnerLookup, memory: ReportMemory | None = None
) -> GuardedReads:
    return GuardedReads(
        batches=a.batches,
        reports=report_query(a, memory),
        progress_feed=progress_feed(a),
        owners=owners,
    )


def guarded_feedback(
    a: Adapters, owners: OwnerLookup, memory: ReportMemory | None = None
) -> GuardedFeedback:
    return GuardedFeedback(
        feedback=feedback_service(a, memory), owners=owners, audit=audit_log(a.pool)
    )


def audit_queries(a: Adapters) -> AuditQueries:
    return AuditQueries(audit_log(a.pool))
