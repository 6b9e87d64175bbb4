"""The FastAPI application: thin routers over application services."""

from __future__ import annotations

from fastapi import FastAPI

from argus.interfaces.http import (
    errors,
    routes_batches,
    routes_events,
    routes_feedback,
    routes_reports,
)
from argus.interfaces.http.guards import HttpGuards
from argus.interfaces.http.guards import install as install_guards
from argus.interfaces.http.services import HttpServices


def create_app(
    svc: HttpServices,
    *,
    ingest: bool = True,
    query: bool = True,
    guards: HttpGuards | None = None,
) -> FastAPI:
    """Ingest (create, upload, complete), query (status, reports, progress, feedback) or both; every
    app also answers GET /healthz and the batch status, which uploaders poll too. Every app is
    behind the request guards (default limits, no rate limiter unless `guards` gives one)."""
    app = FastAPI(title="Argus", version="0.1.0", summary="Vehicle drive logs to diagnoses")
    app.state.services = svc
    errors.install(app)
    install_guards(app, guards or HttpGuards())
    if ingest:
        app.include_router(routes_batches.ingest_router)
    app.include_router(routes_batches.router)
    app.include_router(routes_reports.router if query else routes_reports.health_router)
    if query:
        app.include_router(routes_events.router)
        app.include_router(routes_feedback.router)
    return app
