"""The use cases as the HTTP layer sees them: every call takes the caller and is checked.

The rules are the domain's (`argus.domain.identity`); these facades look up whose the batch is,
apply them, call the use case and record the write in the audit log.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass

from argus.application.feedback import FeedbackService
from argus.application.identity.ports import AuditLog
from argus.application.ingest import IngestService
from argus.application.ports import BatchOverview, BatchPage, BatchRepository, ProgressEntry
from argus.application.progress_feed import ProgressFeed
from argus.application.queries import ReportQuery, ReportView
from argus.domain.analysis.feedback import Feedback
from argus.domain.audit import Action, AuditEntry
from argus.domain.batch import Batch, BatchStatus
from argus.domain.errors import Conflict, NotFound
from argus.domain.identifiers import validate_id
from argus.domain.identity import (
    Caller,
    Owner,
    check_admin,
    check_create_batch,
    check_feedback,
    check_read,
    check_write,
    visible_scope,
)
from argus.domain.log_file import LogFile

# A batch's owner never changes: remembered for good, up to this many batches.
_OWNER_ENTRIES = 100_000


class OwnerLookup:
    """Whose a batch is, remembered in process (owners are immutable; misses are not kept)."""

    def __init__(self, batches: BatchRepository) -> None:
        self._batches = batches
        self._known: dict[str, Owner] = {}

    async def __call__(self, batch_id: str) -> Owner | None:
        owner = self._known.get(batch_id)
        if owner is None:
            owner = await self._batches.owner(batch_id)
            if owner is not None:
                if len(self._known) >= _OWNER_ENTRIES:
                    self._known.pop(next(iter(self._known)))
                self._known[batch_id] = owner
        return owner


class GuardedIngest:
    """Create, upload, complete: a vehicle, on its own batches only."""

    def __init__(self, *, ingest: IngestService, owners: OwnerLookup, audit: AuditLog) -> None:
        self._ingest = ingest
        self._owners = owners
        self._audit = audit

    async def create_batch(
        self, caller: Caller, *, vehicle_id: str, batch_id: str | None
    ) -> tuple[Batch, bool]:
        fleet_id = check_create_batch(caller.principal, vehicle_id)
        if batch_id is not None:
            # Checked before the lookup: a NUL byte is not even a valid PostgreSQL string.
            owner = await self._owners(validate_id(batch_id, what="batch_id"))
            if owner is not None and owner != Owner(fleet_id, vehicle_id):
                raise Conflict(f"batch id {batch_id} is already in use")
        batch, created = await self._ingest.create_batch(
            vehicle_id=vehicle_id, batch_id=batch_id, fleet_id=fleet_id
        )
        if created:
            await self._audit.record(
                AuditEntry.of(caller, Action.BATCH_CREATE, batch.batch_id, fleet_id)
            )
        return batch, created

    async def upload_file(
        self,
        caller: Caller,
        *,
        batch_id: str,
        file_name: str,
        body: AsyncIterator[bytes],
        content_length: int | None,
        expected_sha256: str | None,
        replace: bool = False,
        if_match: str | None = None,
    ) -> LogFile:
        owner = check_write(caller.principal, batch_id, await self._owners(batch_id))
        log_file = await self._ingest.upload_file(
            batch_id=batch_id,
            file_name=file_name,
            body=body,
            content_length=content_length,
            expected_sha256=expected_sha256,
            replace=replace,
            if_match=if_match,
        )
        target = f"{batch_id}/{log_file.name}"
        await self._audit.record(AuditEntry.of(caller, Action.FILE_UPLOAD, target, owner.fleet_id))
        return log_file

    async def complete(self, caller: Caller, batch_id: str) -> Batch:
        owner = check_write(caller.principal, batch_id, await self._owners(batch_id))
        batch = await self._ingest.complete(batch_id)
        # Every accepted call is recorded, the idempotent repeats too: who asked, and when.
        await self._audit.record(
            AuditEntry.of(caller, Action.BATCH_COMPLETE, batch_id, owner.fleet_id)
        )
        return batch


@dataclass(frozen=True)
class GuardedReads:
    """Status, list, report and progress: engineers of the fleet, or the batch's own vehicle."""

    batches: BatchRepository
    reports: ReportQuery
    progress_feed: ProgressFeed  # one per process: SSE followers share its watchers
    owners: OwnerLookup

    async def overview(self, caller: Caller, batch_id: str) -> BatchOverview:
        check_read(caller.principal, batch_id, await self.owners(batch_id))
        overview = await self.batches.overview(batch_id)
        if overview is None:
            raise NotFound(f"batch {batch_id} not found")
        return overview

    async def list_batches(
        self,
        caller: Caller,
        *,
        vehicle_id: str | None,
        status: BatchStatus | None,
        limit: int,
        offset: int,
    ) -> BatchPage:
        fleet_id, own_vehicle = visible_scope(caller.principal)
        if own_vehicle is not None and vehicle_id not in (None, own_vehicle):
            return BatchPage(items=[], total=0)  # another vehicle's batches: none visible
        return await self.batches.list_batches(
            vehicle_id=own_vehicle or vehicle_id,
            status=status,
            limit=limit,
            offset=offset,
            fleet_id=fleet_id,
        )

    async def report(self, caller: Caller, batch_id: str) -> ReportView:
        check_read(caller.principal, batch_id, await self.owners(batch_id))
        return await self.reports.get(batch_id)

    async def follow(
        self, caller: Caller, batch_id: str, *, after: str | None
    ) -> AsyncGenerator[list[ProgressEntry], None]:
        """The progress feed, checked before the stream starts (NotFound, Forbidden)."""
        check_read(caller.principal, batch_id, await self.owners(batch_id))
        return self.progress_feed.follow(batch_id, after=after)


class GuardedFeedback:
    """Diagnosis feedback: engineers of the batch's fleet."""

    def __init__(self, *, feedback: FeedbackService, owners: OwnerLookup, audit: AuditLog) -> None:
        self._feedback = feedback
        self._owners = owners
        self._audit = audit

    async def submit(
        self, caller: Caller, batch_id: str, feedback: Feedback
    ) -> tuple[Feedback, bool]:
        owner = check_feedback(caller.principal, batch_id, await self._owners(batch_id))
        result = await self._feedback.submit(batch_id, feedback)
        await self._audit.record(AuditEntry.of(caller, Action.FEEDBACK, batch_id, owner.fleet_id))
        return result


class AuditQueries:
    """The audit log, for admins."""

    def __init__(self, audit: AuditLog) -> None:
        self._audit = audit

    async def page(
        self,
        caller: Caller,
        *,
        fleet_id: str | None,
        action: str | None,
        before_id: int | None,
        limit: int,
    ) -> list[AuditEntry]:
        check_admin(caller.principal)
        return await self._audit.page(
            fleet_id=fleet_id, action=action, before_id=before_id, limit=limit
        )
