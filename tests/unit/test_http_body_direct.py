"""A large fixed-length body read straight into 1 MiB buffers (decision 0045), on a real
uvicorn on a socket, under both event loops the server runs on (uvloop in `argus serve`).

What is counted: the ASGI body messages and their types (a direct body arrives as the
`bytearray` buffers it was read into; uvicorn's path hands `bytes`), the bytes and their
SHA-256, the answers on the connection, the files the blob store leaves."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
import uvloop

from argus.entrypoints.http_body_direct import BATCH_BYTES, DIRECT_BODY_MIN_BYTES
from argus.infrastructure.blob.localfs import LocalFsBlobStore
from tests.unit.uvicorn_support import Message, served

pytestmark = pytest.mark.unit

MiB = 1 << 20
LOOPS = {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}


@pytest.fixture(params=sorted(LOOPS))
def run(request: pytest.FixtureRequest) -> Callable[[Coroutine[Any, Any, None]], None]:
    def on_loop(scenario: Coroutine[Any, Any, None]) -> None:
        with asyncio.Runner(loop_factory=LOOPS[request.param]) as runner:
            runner.run(asyncio.wait_for(scenario, 60))  # a bound for the test only

    return on_loop


class Recorder:
    """An app that reads each request's body whole and answers its SHA-256 (hex); `bodies`
    holds each request's messages as (type, length)."""

    def __init__(self) -> None:
        self.bodies: list[list[tuple[type, int]]] = []
        self.message = asyncio.Event()  # set at each body message

    async def __call__(
        self, scope: Message, receive: Callable[[], Awaitable[Message]], send: Any
    ) -> None:
        seen: list[tuple[type, int]] = []
        self.bodies.append(seen)
        digest, more = hashlib.sha256(), True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            digest.update(message["body"])
            seen.append((type(message["body"]), len(message["body"])))
            self.message.set()
            more = message.get("more_body", False)
        await send_text(send, digest.hexdigest().encode())


async def send_text(send: Any, text: bytes) -> None:
    length = [(b"content-length", str(len(text)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": length})
    await send({"type": "http.response.body", "body": text})


def put(size: int, extra: str = "") -> bytes:
    return f"PUT /f HTTP/1.1\r\nHost: t\r\nContent-Length: {size}\r\n{extra}\r\n".encode()


async def response(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    status = await reader.readline()
    headers = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in headers.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    return status, await reader.readexactly(length)


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).hexdigest().encode()


def test_bodies_around_the_threshold_and_the_buffer_size_arrive_whole(run: Any) -> None:
    sizes = [DIRECT_BODY_MIN_BYTES - 1, DIRECT_BODY_MIN_BYTES, DIRECT_BODY_MIN_BYTES + 1]
    sizes += [2 * BATCH_BYTES - 1, 2 * BATCH_BYTES, 2 * BATCH_BYTES + 1, 8 * MiB + 12_345]
    bodies = [os.urandom(size) for size in sizes]
    app = Recorder()

    async def scenario() -> None:
        async with served(app, idle_s=30.0) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            for body in bodies:  # all on one kept-alive connection
                writer.write(put(len(body)) + body)
                await writer.drain()
                assert await response(reader) == (b"HTTP/1.1 200 OK\r\n", sha(body))
            writer.close()

    run(scenario())
    for size, seen in zip(sizes, app.bodies, strict=True):
        assert sum(length for _, length in seen) == size
        if size < DIRECT_BODY_MIN_BYTES:
            assert {kind for kind, _ in seen} == {bytes}  # uvicorn's path, as before
            continue
        # One message per buffer (uvicorn's path: one per socket read, ~4 per MiB), each the
        # buffer the socket was read into.
        assert len(seen) == -(-size // BATCH_BYTES), (size, seen)
        assert {kind for kind, _ in seen} == {bytearray}


def test_a_pipelined_request_after_a_direct_body_is_parsed_and_answered(run: Any) -> None:
    body = os.urandom(3 * MiB + 7)
    app = Recorder()

    async def scenario() -> None:
        async with served(app, idle_s=30.0) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            # The next request follows the body's last byte in the same write.
            writer.write(put(len(body)) + body + put(5) + b"hello")
            await writer.drain()
            assert await response(reader) == (b"HTTP/1.1 200 OK\r\n", sha(body))
            assert await response(reader) == (b"HTTP/1.1 200 OK\r\n", sha(b"hello"))
            writer.close()

    run(scenario())
    assert [kind for kind, _ in app.bodies[0]] == [bytearray] * 4
    assert app.bodies[1] == [(bytes, 5)]


def test_expect_100_continue_is_answered_before_the_body_is_sent(run: Any) -> None:
    body = os.urandom(2 * MiB + 3)
    app = Recorder()

    async def scenario() -> None:
        async with served(app, idle_s=30.0) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(put(len(body), "Expect: 100-continue\r\n"))
            assert await reader.readuntil(b"\r\n\r\n") == b"HTTP/1.1 100 Continue\r\n\r\n"
            writer.write(body)
            assert await response(reader) == (b"HTTP/1.1 200 OK\r\n", sha(body))
            writer.close()

    run(scenario())
    assert [kind for kind, _ in app.bodies[0]] == [bytearray] * 3


def test_a_chunked_body_keeps_uvicorns_path(run: Any) -> None:
    body = os.urandom(3 * MiB)
    chunks = [body[i : i + 300_000] for i in range(0, len(body), 300_000)]
    app = Recorder()

    async def scenario() -> None:
        async with served(app, idle_s=30.0) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"PUT /f HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
            for chunk in chunks:
                writer.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            writer.write(b"0\r\n\r\n")
            assert await response(reader) == (b"HTTP/1.1 200 OK\r\n", sha(body))
            writer.close()

    run(scenario())
    assert {kind for kind, _ in app.bodies[0]} == {bytes}


def test_a_body_answered_early_is_dropped_and_the_connection_carries_on(run: Any) -> None:
    """An early answer (a 401) on a kept-alive connection: the rest of the body is read and
    dropped, then the next request is parsed from where the body ended."""
    answered: list[str] = []
    hello = Recorder()

    async def app(scope: Message, receive: Any, send: Any) -> None:
        answered.append(scope["path"])
        if scope["path"] == "/early":
            await send_text(send, b"no")
        else:
            await hello(scope, receive, send)

    body = os.urandom(3 * MiB)

    async def scenario() -> None:
        async with served(app, idle_s=30.0) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            head = f"PUT /early HTTP/1.1\r\nHost: t\r\nContent-Length: {len(body)}\r\n\r\n"
            writer.write(head.encode())
            assert await response(reader) == (b"HTTP/1.1 200 OK\r\n", b"no")
            writer.write(body + put(5) + b"hello")
            assert await response(reader) == (b"HTTP/1.1 200 OK\r\n", sha(b"hello"))
            writer.close()

    run(scenario())
    assert answered == ["/early", "/f"]


def test_a_slow_body_hands_over_what_came_before_the_idle_bound(run: Any) -> None:
    """A client slower than a buffer per `idle_s / 4`: the bytes in hand go to the app rather
    than waiting for a full buffer, so the body guard's idle bound sees a body that is
    sending."""
    body = os.urandom(DIRECT_BODY_MIN_BYTES + 10)
    first_part = 100_000
    app = Recorder()

    async def scenario() -> None:
        async with served(app, idle_s=0.4) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(put(len(body)) + body[:first_part])
            await writer.drain()
            await asyncio.sleep(0.5)  # the app waits for the rest longer than 0.4 / 4 s
            writer.write(body[first_part : first_part + 10])  # bytes come: what is in goes
            await app.message.wait()
            writer.write(body[first_part + 10 :])
            assert await response(reader) == (b"HTTP/1.1 200 OK\r\n", sha(body))
            writer.close()

    run(scenario())
    seen = app.bodies[0]
    assert seen[0] == (bytes, first_part + 10)  # the partial buffer, copied
    assert sum(length for _, length in seen) == len(body)
    assert {kind for kind, _ in seen[1:]} == {bytearray}


class ClientGone(Exception):
    """What the app's body iterator raises on `http.disconnect` (Starlette: ClientDisconnect)."""


def test_a_client_gone_mid_body_stores_nothing(run: Any, tmp_path: Path) -> None:
    store = LocalFsBlobStore(tmp_path / "blobs")
    outcome: list[str] = []
    seen: list[type] = []
    storing, done = asyncio.Event(), asyncio.Event()

    async def app(scope: Message, receive: Any, send: Any) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise ClientGone
                seen.append(type(message["body"]))
                if len(seen) == 3:  # three buffers handed over: the body is being stored
                    storing.set()
                yield message["body"]
                if not message.get("more_body", False):
                    return

        try:
            await store.put_stream("b/f.mcap", chunks(), max_bytes=1 << 30)
            outcome.append("stored")
        except Exception as exc:
            outcome.append(type(exc).__name__)
        finally:
            done.set()

    async def scenario() -> None:
        async with served(app, idle_s=30.0) as port:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(put(8 * MiB) + os.urandom(3 * MiB + 5))
            await writer.drain()
            await storing.wait()
            writer.close()
            await writer.wait_closed()
            await done.wait()

    run(scenario())
    assert outcome == ["ClientGone"]
    assert set(seen) == {bytearray}
    assert store.incoming_count() == 0
    assert not list((tmp_path / "blobs").rglob("*.mcap"))
