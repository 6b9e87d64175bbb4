"""The FastAPI application: thin routers over application services."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp

from argus.interfaces.http import (
    errors,
    routes_admin,
    routes_batches,
    routes_events,
    routes_feedback,
    routes_reports,
)
from argus.interfaces.http.auth import BearerAuth
from argus.interfaces.http.guards import HttpGuards
from argus.interfaces.http.guards import install as install_guards
from argus.interfaces.http.report_lane import ReportLane
from argus.interfaces.http.services import HttpServices


def create_app(
    svc: HttpServices,
    *,
    ingest: bool = True,
    query: bool = True,
    guards: HttpGuards | None = None,
) -> FastAPI:
    """Ingest (create, upload, complete), query (status, reports, progress, feedback) or both; every
    app also answers GET /healthz and the batch status, which uploaders poll too. Every route
    but /healthz needs a bearer token, checked inside the request guards (default limits, no
    rate limiter unless `guards` gives one), so a refused request still gets their headers."""
    app = FastAPI(title="Argus", version="0.1.0", summary="Vehicle drive logs to diagnoses")
    app.state.services = svc
    errors.install(app)
    app.add_middleware(BearerAuth, authenticate=svc.auth.authenticate)
    install_guards(app, guards or HttpGuards())
    if ingest:
        app.include_router(routes_batches.ingest_router)
    app.include_router(routes_batches.router)
    app.include_router(routes_reports.router if query else routes_reports.health_router)
    if query:
        app.include_router(routes_events.router)
        app.include_router(routes_feedback.router)
        app.include_router(routes_admin.router)
    return app


def create_served_app(
    svc: HttpServices, *, ingest: bool = True, query: bool = True, guards: HttpGuards
) -> ASGIApp:
    """What a server runs: `create_app`, behind the read lane when it serves reports. The lane
    sits in front of all of FastAPI (its telemetry and body-limit layers too) and shares the
    guards' rate limiter, so a caller's tokens are counted once (decision 0031)."""
    app = create_app(svc, ingest=ingest, query=query, guards=guards)
    if not query:
        return app
    return ReportLane(app, reads=svc.reads, identify=svc.auth.identify, limiter=guards.rate_limiter)
