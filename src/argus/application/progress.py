"""Projects bus events onto each batch's progress stream (read by the SSE endpoint)."""

from __future__ import annotations

from typing import Any

from argus.application.ports import ProgressChannel
from argus.domain.events import BatchStatusChanged, Event, FileParsed, FileParseFailed


def progress_data(event: Event) -> dict[str, Any] | None:
    """The JSON a progress client sees for `event`, or None if it is not progress."""
    if isinstance(event, BatchStatusChanged):
        return {
            "type": "status",
            "status": event.status,
            "previous": event.previous,
            "reason": event.reason,
            "at": event.occurred_at,
        }
    if isinstance(event, FileParsed):
        return {
            "type": "file_parsed",
            "file_id": event.file_id,
            "messages": event.message_count,
            "at": event.occurred_at,
        }
    if isinstance(event, FileParseFailed):
        return {
            "type": "file_failed",
            "file_id": event.file_id,
            "reason": event.reason,
            "at": event.occurred_at,
        }
    return None


def progress_key(event: Event) -> str:
    """What makes a progress entry unique: the event, or for a file outcome the file — a file
    parsed again after a worker died is a new event but not new progress (first outcome wins,
    as in PostgreSQL)."""
    if isinstance(event, FileParsed | FileParseFailed):
        return f"file:{event.file_id}"
    return event.event_id


class ProgressProjector:
    """Appends each progress event once to its batch's stream."""

    def __init__(self, *, channel: ProgressChannel) -> None:
        self._channel = channel

    async def handle(self, event: Event) -> None:
        """Project one event; redeliveries and re-parses append nothing."""
        data = progress_data(event)
        if data is not None:
            await self._channel.append(event.batch_id, event_id=progress_key(event), data=data)
