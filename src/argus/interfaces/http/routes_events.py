"""Live progress as Server-Sent Events, resumable with `Last-Event-ID`."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import StreamingResponse

from argus.application.ports import ProgressEntry
from argus.domain.identifiers import validate_event_id
from argus.interfaces.http.auth import CallerDep
from argus.interfaces.http.services import HttpServices, services

router = APIRouter(tags=["progress"])
Services = Annotated[HttpServices, Depends(services)]


async def _event_stream(
    request: Request, follower: AsyncGenerator[list[ProgressEntry], None]
) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    # aclosing: leaving early (client gone) releases the follower at once, not at GC time.
    async with contextlib.aclosing(follower) as feed:
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
    caller: CallerDep,
    svc: Services,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """Every status change and parsed/failed file; ends after the final state."""
    if last_event_id is not None:
        validate_event_id(last_event_id)
    # Checked before the response starts: a batch the caller may not read is a plain 404.
    follower = await svc.reads.follow(caller, batch_id, after=last_event_id)
    return StreamingResponse(
        _event_stream(request, follower),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
