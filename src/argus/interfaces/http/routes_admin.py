"""Admin routes (admins only): GET /api/v1/admin/audit and /api/v1/admin/read-stats."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from argus.domain.identity import check_admin
from argus.interfaces.http.auth import CallerDep
from argus.interfaces.http.schemas import AuditPage, AuditRead
from argus.interfaces.http.services import HttpServices, services

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
Services = Annotated[HttpServices, Depends(services)]


@router.get("/audit", response_model=AuditPage)
async def audit_log(
    caller: CallerDep,
    svc: Services,
    fleet_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    before_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """Writes newest first; page on with `before_id` = the last item's id."""
    entries = await svc.audit.page(
        caller, fleet_id=fleet_id, action=action, before_id=before_id, limit=limit
    )
    items = [AuditRead.of(e) for e in entries]
    return AuditPage(items=items, next_before_id=items[-1].id if len(items) == limit else None)


@router.get("/read-stats")
async def read_stats(caller: CallerDep, svc: Services) -> dict[str, int]:
    """Report reads of every API process sharing this Redis, summed: answered from process
    memory, from Redis, and database reads (`processes`: how many published)."""
    check_admin(caller.principal)
    return await svc.read_stats()


__all__ = ["router"]
