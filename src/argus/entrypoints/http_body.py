"""A request body handed from uvicorn's httptools protocol to the app without extra copies.

uvicorn keeps the body received so far in a `bytearray`: every socket read is appended to it
(one copy) and each ASGI `receive()` returns `bytes(bytearray)` (a second copy). For an upload
that is two passes over every byte on the event loop's thread, on top of the socket read and
httptools' own copy; decision 0038 measured uvicorn's body path at 0.39 CPU-s per 197 MB and
0.20 without those two copies. `BodyPieces` stands in for that `bytearray`: it keeps the `bytes`
httptools made, and `bytes(pieces)` returns the one piece itself (the usual case: uvicorn stops
reading past 64 KiB until the app asks for more) or joins the few there are (the copy uvicorn
made anyway). Flow control is unchanged: `len()` is the bytes held, as before.

A body of at least 1 MiB with a `Content-Length` skips all of that: once its head is parsed,
`http_body_direct.DirectBody` reads it straight into 1 MiB buffers (decision 0045).
"""

from __future__ import annotations

from typing import ClassVar, Self

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from argus.entrypoints.http_body_direct import DirectBody, direct_body_length


class BodyPieces:
    """What uvicorn's request cycle asks of its body buffer: `+=`, `len()`, `bytes()`."""

    __slots__ = ("pieces", "size")

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.size = 0

    def __iadd__(self, piece: bytes) -> Self:
        if piece:
            self.pieces.append(piece)
            self.size += len(piece)
        return self

    def __len__(self) -> int:
        return self.size

    def __bytes__(self) -> bytes:
        pieces = self.pieces
        if len(pieces) == 1:
            return pieces[0]
        return b"".join(pieces)


class PiecewiseBody(HttpToolsProtocol):
    """httptools' protocol, the request body kept as the pieces it arrived in, or read
    directly into buffers when it is large and of a known length."""

    # A direct body's bytes in hand are handed over once the app has waited this long
    # (`head_limited_protocol` makes it a quarter of the body guard's idle bound).
    partial_after_s: ClassVar[float] = 1.0
    direct: DirectBody | None = None  # made for the connection's first direct body
    direct_length = 0  # the body of the request whose head was just parsed goes direct

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        upgrading = self.parser.should_upgrade()
        self.direct_length = 0 if upgrading else direct_body_length(self.headers)

    def on_message_complete(self) -> None:
        self.direct_length = 0  # all of it came with the head: nothing left to read directly
        super().on_message_complete()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.direct_length and not self.transport.is_closing():
            # The head was in `data` and its body is not: the rest goes straight into buffers.
            length, self.direct_length = self.direct_length, 0
            if self.direct is None:
                self.direct = DirectBody(self)
            self.direct.receive(self.cycle, length)

    def on_body(self, body: bytes) -> None:
        cycle = self.cycle
        # The cycle starts, and after each receive() starts again, with an empty bytearray.
        if isinstance(cycle.body, bytearray):
            pieces = BodyPieces()
            pieces += bytes(cycle.body)
            cycle.body = pieces  # type: ignore[assignment]  # the same three operations
        super().on_body(body)


__all__ = ["BodyPieces", "PiecewiseBody"]
