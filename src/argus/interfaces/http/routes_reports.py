"""The design's quick-start read path: GET /api/report/{batch_id}, and health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from argus.interfaces.http.auth import CallerDep
from argus.interfaces.http.report_response import report_response
from argus.interfaces.http.services import HttpServices, services

router = APIRouter(tags=["reports"])
health_router = APIRouter(tags=["health"])
Services = Annotated[HttpServices, Depends(services)]


@router.get("/api/report/{batch_id}")
async def report(batch_id: str, request: Request, caller: CallerDep, svc: Services) -> Response:
    """Same document as /api/v1/batches/{id}/report (memory → cache → singleflight → database)."""
    return await report_response(svc, caller, batch_id, request)


@health_router.get("/healthz")
async def health(svc: Services) -> JSONResponse:
    """200 when PostgreSQL and Redis answer, 503 otherwise."""
    checks = await svc.health()
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status_code=200 if healthy else 503,
    )


# Registered last: include_router copies the routes that exist at the time of the call.
router.include_router(health_router)
