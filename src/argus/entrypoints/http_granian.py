"""The API on granian (`ARGUS_HTTP_SERVER=granian`), measured against uvicorn (decision 0031).

granian's embedded server runs in this process' event loop; its Rust side reads and parses
HTTP. Its own bounds stand in for `http_protocol.py`'s: `max_buffer_size` bounds a request
head, `header_read_timeout` a head that stalls."""

from __future__ import annotations

import asyncio

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.server.embed import Server
from starlette.types import ASGIApp

from argus.interfaces.http.settings import LimitsSettings


async def serve_granian(
    app: ASGIApp, *, host: str, port: int, limits: LimitsSettings, stop: asyncio.Event
) -> None:
    """Serve `app` on host:port until `stop` is set."""
    http1 = HTTP1Settings(
        header_read_timeout=int(limits.request_idle_s * 1000),
        max_buffer_size=max(limits.header_bytes, 8192),
    )
    server = Server(
        app,
        address=host,
        port=port,
        interface=Interfaces.ASGINL,
        http=HTTPModes.http1,
        backlog=2048,
        http1_settings=http1,
        websockets=False,
    )

    async def stop_when_asked() -> None:
        await stop.wait()
        server.stop()  # type: ignore[no-untyped-call]  # granian is untyped here

    stopping = asyncio.create_task(stop_when_asked())
    try:
        await server.serve()
    finally:
        stopping.cancel()
