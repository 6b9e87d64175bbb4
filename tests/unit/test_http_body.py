"""The request body's path from httptools to the app: the pieces httptools made, not copies."""

from __future__ import annotations

import asyncio
import hashlib
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pytest
import uvicorn

from argus.entrypoints.http_body import BodyPieces
from argus.entrypoints.http_protocol import head_limited_protocol

pytestmark = pytest.mark.unit

Message = MutableMapping[str, Any]


def test_one_piece_is_handed_over_as_the_same_object() -> None:
    piece = b"x" * 300_000
    pieces = BodyPieces()
    pieces += piece
    assert bytes(pieces) is piece  # no copy
    assert len(pieces) == 300_000


def test_several_pieces_are_joined_in_order_and_empty_ones_dropped() -> None:
    pieces = BodyPieces()
    for piece in (b"ab", b"", b"cd", b"e"):
        pieces += piece
    assert pieces.pieces == [b"ab", b"cd", b"e"]
    assert (len(pieces), bytes(pieces)) == (5, b"abcde")
    assert bytes(BodyPieces()) == b""


async def test_a_served_upload_arrives_whole_and_keep_alive_still_works() -> None:
    received: list[bytes] = []

    async def app(
        scope: Message, receive: Callable[[], Awaitable[Message]], send: Callable[..., Any]
    ) -> None:
        assert scope["type"] == "http"
        digest, more = hashlib.sha256(), True
        while more:
            message = await receive()
            assert type(message["body"]) is bytes
            digest.update(message["body"])
            received.append(message["body"])
            more = message.get("more_body", False)
        answer = digest.hexdigest().encode()
        length = [(b"content-length", str(len(answer)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": length})
        await send({"type": "http.response.body", "body": answer})

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", http=head_limited_protocol(16_384, 30.0)
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    body = bytes(range(256)) * 20_000  # 5.1 MB, every byte value
    try:
        # The socket listens already: the connection waits in its backlog until uvicorn runs.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(2):  # the second request on the same connection
            head = f"PUT /f HTTP/1.1\r\nHost: t\r\nContent-Length: {len(body)}\r\n\r\n"
            writer.write(head.encode() + body)
            await writer.drain()
            status = await reader.readline()
            headers = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in headers.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            assert status.startswith(b"HTTP/1.1 200")
            assert await reader.readexactly(length) == hashlib.sha256(body).hexdigest().encode()
        writer.close()
        assert sum(map(len, received)) == 2 * len(body)
    finally:
        server.should_exit = True
        await serving
