"""Live progress as Server-Sent Events, resumable with `Last-Event-ID`."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import StreamingResponse

from argus.domain.errors import NotFound
from argus.domain.identifiers import validate_event_id
from argus.interfaces.http.services import HttpServices, services

router = APIRouter(tags=["progress"])
Services = Annotated[HttpServices, Depends(services)]


async def _event_stream(
    svc: HttpServices, request: Request, batch_id: str, last_id: str | None
) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    # aclosing: leaving early (client gone) releases the follower at once, not at GC time.
    async with contextlib.aclosing(svc.progress_feed.follow(batch_id, after=last_id)) as feed:
        async for entries in feed:
            for entry in entries:
                kind = str(entry.data.get("type", "message"))
                data = json.dumps(entry.data)
                yield f"id: {entry.entry_id}\nevent: {kind}\ndata: {data}\n\n"
            if not entries:
                if await request.is_disconnected():
                    return
                yield ": keep-alive\n\n"


@router.get("/api/v1/batches/{batch_id}/events")
async def batch_events(
    batch_id: str,
    request: Request,
    svc: Services,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """Every status change and parsed/failed file; ends after the final state."""
    if last_event_id is not None:
        validate_event_id(last_event_id)
    if await svc.batches.overview(batch_id) is None:
        raise NotFound(f"batch {batch_id} not found")
    return StreamingResponse(
        _event_stream(svc, request, batch_id, last_event_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
