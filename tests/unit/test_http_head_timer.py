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


async def test_the_next_head_is_bounded_after_a_response_sent_before_the_body_came() -> None:
    """An early answer (a 401, a 413) completes before the request's body is in; the head
    after that body must still get its 408, not wait for ever."""
    async with served(answer, idle_s=0.2) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\n")
        await reader.readuntil(b"ok")  # answered without reading the body
        writer.write(b"x")  # the body, then the start of a head that stalls
        writer.write(b"GET / HTTP/1.1\r\n")
        await writer.drain()
        # Cut within the bound: a 408, or a close when the stalled head's bytes came with the
        # body's (then no head had begun when the bytes were counted). Before: no end at all.
        refused = await asyncio.wait_for(reader.read(200), 10)  # a bound for the test only
        assert refused == b"" or refused.startswith(b"HTTP/1.1 408"), refused
        writer.close()


async def test_a_pipelined_request_answered_slower_than_the_head_bound_is_not_cut() -> None:
    async with served(answer, idle_s=0.2) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\nGET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        await writer.drain()
        replies = b""
        while replies.count(b"ok") < 2 and (more := await asyncio.wait_for(reader.read(1000), 10)):
            replies += more
        assert replies.count(b"HTTP/1.1 200") == 2
        writer.close()
