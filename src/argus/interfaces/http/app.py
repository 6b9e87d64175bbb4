"""The FastAPI application: thin routers over application services."""

from __future__ import annotations

from fastapi import FastAPI

from argus.interfaces.http import errors, routes_batches, routes_events, routes_reports
from argus.interfaces.http.services import HttpServices


def create_app(svc: HttpServices) -> FastAPI:
    """An app serving ingest, reports, progress and health on one port."""
    app = FastAPI(title="Argus", version="0.1.0", summary="Vehicle drive logs to diagnoses")
    app.state.services = svc
    errors.install(app)
    app.include_router(routes_batches.router)
    app.include_router(routes_reports.router)
    app.include_router(routes_events.router)
    return app
