"""What the HTTP layer needs from the application, built once by the composition root.

Only guarded facades: each of their calls takes the authenticated caller, so a route cannot
reach a use case without the access check (docs/decisions/0025-access-model.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from argus.application.identity import (
    AuditQueries,
    Authenticator,
    GuardedFeedback,
    GuardedIngest,
    GuardedReads,
)


@dataclass(frozen=True)
class HttpServices:
    auth: Authenticator
    ingest: GuardedIngest
    reads: GuardedReads
    feedback: GuardedFeedback
    audit: AuditQueries
    health: Callable[[], Awaitable[dict[str, str]]]
    # Report reads by source, summed over the API processes (entrypoints/read_stats.py).
    read_stats: Callable[[], Awaitable[dict[str, int]]]


async def services(request: Request) -> HttpServices:
    """FastAPI dependency: the services stored on the app at start-up. Async: a plain `def`
    dependency runs in the thread pool on every request (decision 0030)."""
    found: HttpServices = request.app.state.services
    return found
