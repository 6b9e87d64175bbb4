"""The request-head timer of `http_protocol` (decision 0039): one lazy timer per connection,
not one per request, and still never cutting a request that is being answered."""

from __future__ import annotations

import asyncio

import pytest

from tests.unit.uvicorn_support import answer, get, record_calls, served

pytestmark = pytest.mark.unit


async def test_kept_alive_requests_share_one_head_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()
    armed = record_calls(
        monkeypatch, loop, "call_at", lambda _, cb, *a: getattr(cb, "__name__", "")
    )
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
