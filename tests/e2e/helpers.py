"""Small steps shared by the end-to-end tests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from argus.cli.client import ArgusClient

FINAL = {"completed", "completed_with_errors", "failed"}


async def upload_batch(
    client: ArgusClient, batch_id: str, paths: list[Path], *, complete: bool = True
) -> None:
    await client.create_batch(vehicle_id="veh-e2e", batch_id=batch_id)
    for path in paths:
        await client.upload(batch_id, path, on_bytes=lambda _n: None)
    if complete:
        await client.complete(batch_id)


async def follow_to_end(
    client: ArgusClient, batch_id: str, *, last_event_id: str | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """Every progress event until the server ends the stream (bounded by a timeout)."""

    async def collect() -> list[tuple[str, dict[str, Any]]]:
        return [item async for item in client.follow(batch_id, last_event_id=last_event_id)]

    return await asyncio.wait_for(collect(), 120)


def statuses(events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [data["status"] for _, data in events if data["type"] == "status"]


def file_events(events: list[tuple[str, dict[str, Any]]], kind: str) -> list[str]:
    return [data["file_id"] for _, data in events if data["type"] == kind]
