"""What the HTTP layer needs from the application, built once by the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from argus.application.feedback import FeedbackService
from argus.application.ingest import IngestService
from argus.application.ports import BatchRepository
from argus.application.progress_feed import ProgressFeed
from argus.application.queries import ReportQuery


@dataclass(frozen=True)
class HttpServices:
    ingest: IngestService
    reports: ReportQuery
    batches: BatchRepository
    progress_feed: ProgressFeed  # one per process: SSE followers share its watchers
    health: Callable[[], Awaitable[dict[str, str]]]
    feedback: FeedbackService


def services(request: Request) -> HttpServices:
    """FastAPI dependency: the services stored on the app at start-up."""
    found: HttpServices = request.app.state.services
    return found
