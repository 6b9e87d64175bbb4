"""The request-head timer of `http_protocol` (decision 0039): one lazy timer per connection,
not one per request, and still never cutting a request that is being answered."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn

from argus.entrypoints.http_protocol import head_limited_protocol

pytestmark = pytest.mark.unit

Message = MutableMapping[str, Any]
App = Callable[[Message, Callable[[], Awaitable[Message]], Callable[..., Any]], Awaitable[None]]


async def answer(scope: Message, receive: Callable[[], Awaitable[Message]], send: Any) -> None:
    if scope["path"] == "/slow":
        await asyncio.sleep(0.6)  # longer than the head's idle bound below
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


async def test_kept_alive_requests_share_one_head_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()
    armed: list[str] = []
    call_at = loop.call_at

    def counting(when: float, callback: Callable[..., object], *args: Any, **kw: Any) -> Any:
        armed.append(getattr(callback, "__name__", ""))
        return call_at(when, callback, *args, **kw)

    monkeypatch.setattr(loop, "call_at", counting)
    async with served(answer, idle_s=30.0) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(50):
            assert (await get(reader, writer, "/")).startswith(b"HTTP/1.1 200")
        writer.close()
    assert armed.count("head_due") == 1  # a timer made and cancelled per request: 100


async def test_a_request_answered_slower_than_the_head_bound_is_not_cut() -> None:
    async with served(answer, idle_s=0.2) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert (await get(reader, writer, "/slow")).startswith(b"HTTP/1.1 200")
        assert (await get(reader, writer, "/")).startswith(b"HTTP/1.1 200")  # still kept alive
        writer.close()
