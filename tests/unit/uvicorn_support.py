"""A uvicorn server with Argus' HTTP protocol on a real socket, for the protocol's unit tests."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn

from argus.entrypoints.http_protocol import head_limited_protocol

Message = MutableMapping[str, Any]
App = Callable[[Message, Callable[[], Awaitable[Message]], Callable[..., Any]], Awaitable[None]]


async def answer(scope: Message, receive: Callable[[], Awaitable[Message]], send: Any) -> None:
    if scope["path"] == "/slow":
        await asyncio.sleep(0.6)  # longer than the head bound of the test that asks for it
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"ok"})


@asynccontextmanager
async def served(app: App, idle_s: float) -> AsyncIterator[int]:
    listener = socket.create_server(("127.0.0.1", 0))
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", http=head_limited_protocol(16_384, idle_s)
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        yield listener.getsockname()[1]
    finally:
        server.should_exit = True
        await serving


async def get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> bytes:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    await writer.drain()
    status = await reader.readline()
    await reader.readuntil(b"\r\n\r\n")
    assert await reader.readexactly(2) == b"ok"
    return status


def record_calls(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, note: Callable[..., Any]
) -> list[Any]:
    """Calls of `owner.name` go on as before; `note(*args)` of each is appended to the list."""
    original = getattr(owner, name)
    seen: list[Any] = []

    def recorded(*args: Any, **kwargs: Any) -> Any:
        seen.append(note(*args))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return seen
