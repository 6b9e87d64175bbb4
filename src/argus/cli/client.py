"""A small HTTP client of the Argus API: what an uploader or a CLI user does."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

_CHUNK_BYTES = 1 << 20


class ApiError(RuntimeError):
    """The API answered with an error body."""


def _check(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise ApiError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text}"
        )
    body: dict[str, Any] = response.json()
    return body


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


async def _file_body(path: Path, on_bytes: Callable[[int], None]) -> AsyncIterator[bytes]:
    # Plain blocking reads: 1 MiB from a local disk costs less than a thread hop per chunk.
    with open(path, "rb") as source:  # noqa: ASYNC230
        while chunk := source.read(_CHUNK_BYTES):
            on_bytes(len(chunk))
            yield chunk


def bearer(token: str) -> dict[str, str]:
    """The header every API call but /healthz carries."""
    return {"Authorization": f"Bearer {token}"}


class ArgusClient:
    """Create a batch, stream files, complete, follow progress, fetch the report."""

    def __init__(self, http: httpx.AsyncClient, *, reads: httpx.AsyncClient | None = None) -> None:
        self._http = http
        # Reads (status, report, progress) may be served by another process than writes.
        self._reads = reads or http

    async def create_batch(self, *, vehicle_id: str, batch_id: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"vehicle_id": vehicle_id}
        if batch_id is not None:
            body["batch_id"] = batch_id
        return _check(await self._http.post("/api/v1/batches", json=body))

    async def upload(
        self,
        batch_id: str,
        path: Path,
        *,
        on_bytes: Callable[[int], None],
        replace: bool = False,
    ) -> dict[str, Any]:
        """PUT one file; `replace` replaces a stored file of the same name (else 409)."""
        checksum = await asyncio.to_thread(sha256_of, path)  # hashing a GB file takes seconds
        size = await asyncio.to_thread(lambda: path.stat().st_size)
        headers = {"X-Checksum-SHA256": checksum, "Content-Length": str(size)}
        response = await self._http.put(
            f"/api/v1/batches/{batch_id}/files/{path.name}",
            content=_file_body(path, on_bytes),
            headers=headers,
            params={"replace": "true"} if replace else None,
        )
        return _check(response)

    async def complete(self, batch_id: str) -> dict[str, Any]:
        return _check(await self._http.post(f"/api/v1/batches/{batch_id}/complete"))

    async def feedback(self, batch_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """An engineer's verdict on the batch's diagnosis (confirmed, or corrected)."""
        return _check(
            await self._http.post(f"/api/v1/batches/{batch_id}/diagnosis/feedback", json=body)
        )

    async def status(self, batch_id: str) -> dict[str, Any]:
        return _check(await self._reads.get(f"/api/v1/batches/{batch_id}"))

    async def report(self, batch_id: str) -> tuple[int, dict[str, Any]]:
        response = await self._reads.get(f"/api/report/{batch_id}")
        return response.status_code, _check(response)

    async def follow(
        self, batch_id: str, *, last_event_id: str | None = None
    ) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """Yield (event id, data) from the SSE stream until the server ends it."""
        headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
        async with self._reads.stream(
            "GET", f"/api/v1/batches/{batch_id}/events", headers=headers, timeout=None
        ) as response:
            if response.status_code >= 400:
                raise ApiError(f"events: {response.status_code} {await response.aread()!r}")
            async for event_id, data in parse_sse(response.aiter_lines()):
                yield event_id, data


async def parse_sse(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """Minimal text/event-stream parser: id and data fields, events end at a blank line."""
    event_id, data_lines = "", list[str]()
    async for line in lines:
        if not line:
            if data_lines:
                yield event_id, json.loads("\n".join(data_lines))
            event_id, data_lines = "", list[str]()
        elif line.startswith("id:"):
            event_id = line[3:].strip()
        elif line.startswith("data:"):
            data_lines.append(line[5:].strip())


def total_size(paths: Sequence[Path]) -> int:
    return sum(p.stat().st_size for p in paths)
