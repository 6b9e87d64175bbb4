"""A large fixed-length request body received straight into 1 MiB buffers (decision 0045).

On uvicorn's path every byte of an upload is copied three times on the event loop before the
app sees it: uvloop reads each ≤ 256,000-byte socket read into its own buffer and copies it
into a new `bytes`, httptools copies the body part into another `bytes`, and each becomes one
ASGI message (~800 per 197 MB). For a body whose `Content-Length` is at least
`DIRECT_BODY_MIN_BYTES` (not chunked), the connection's protocol is switched, once the head is
parsed, to `DirectBody`: an `asyncio.BufferedProtocol` whose `get_buffer` hands the socket
read a slice of a fresh `BATCH_BYTES` `bytearray`. A full buffer (or the body's last bytes)
becomes one ASGI `http.request` message as it is, never written again: one copy (the kernel's)
and ~4× fewer messages. Each buffer is at most the body's remaining bytes, so a pipelined next
request is never read into a body; after the last byte the HTTP protocol is set back with a
fresh httptools parser (the old one never saw the body). Flow control: reading pauses while a
full buffer waits for the app and resumes on its next `receive()`.

A slow client fills a buffer slowly; the body guard cuts a body that sends nothing for
`idle_s`, so once the app has waited `partial_after_s` for a buffer, the bytes in hand so far
are handed over (copied: the rare path) and the buffer starts again.
"""

from __future__ import annotations

import asyncio
import sys
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import httptools
from uvicorn._types import ASGIReceiveEvent
from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

if TYPE_CHECKING:
    from argus.entrypoints.http_body import PiecewiseBody

# Bodies declared at least this long take the direct path (smaller ones: uvicorn's, where the
# switch would cost more than the copies it saves).
DIRECT_BODY_MIN_BYTES = 1 << 20
# One buffer, one ASGI message: the blob store's write batch (localfs: one `writev` each).
BATCH_BYTES = 1 << 20
# Full buffers kept per body for reuse once the app let go of them (`bytearray(n)` zero-fills
# each new one, and a new one may be new memory to the process).
_SPARE_BUFFERS = 4
# A `Content-Length` of more digits is not a length anyone sends (no int() of 16 KiB digits).
_MAX_LENGTH_DIGITS = 18


def direct_body_length(headers: list[tuple[bytes, bytes]]) -> int:
    """The body length when it qualifies for the direct path (one plain `Content-Length` of at
    least `DIRECT_BODY_MIN_BYTES`, no `Transfer-Encoding`), else 0 (uvicorn's path)."""
    length = 0
    for name, value in headers:
        if name == b"content-length":
            if length or not value.isdigit() or len(value) > _MAX_LENGTH_DIGITS:
                return 0
            length = int(value)
        elif name == b"transfer-encoding":
            return 0
    return length if length >= DIRECT_BODY_MIN_BYTES else 0


class BatchedBodyCycle(RequestResponseCycle):
    """uvicorn's request cycle whose body arrives as whole buffers (`batches`), handed to the
    app as they are. Made by switching the class of the cycle uvicorn made, before its task
    first runs; everything but `receive` is uvicorn's."""

    batches: deque[bytes | bytearray]
    waiting_since: float | None  # when the app began waiting for a buffer (None: not waiting)
    loop_time: Callable[[], float]

    async def receive(self) -> ASGIReceiveEvent:
        if self.waiting_for_100_continue and not self.transport.is_closing():
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.waiting_for_100_continue = False
        batches = self.batches
        try:
            while not (batches or self.disconnected or self.response_complete) and self.more_body:
                self.flow.resume_reading()
                self.waiting_since = self.loop_time()
                await self.message_event.wait()
                self.message_event.clear()
        finally:
            self.waiting_since = None
        if self.disconnected or self.response_complete:
            return {"type": "http.disconnect"}
        body = batches.popleft() if batches else b""
        if not batches:
            self.flow.resume_reading()  # the one buffer that waited is taken: read on
        more_body = self.more_body or bool(batches)
        return {"type": "http.request", "body": body, "more_body": more_body}  # type: ignore[typeddict-item]


def _refcount_of_a_lone_spare() -> int:
    """What `getrefcount` says, in `new_batch`'s loop, of a spare held by nothing but its
    list: the list, the loop variable and the call's argument (3 on CPython 3.11; measured
    here, not assumed, since interpreters count borrowed references differently)."""
    for spare in [bytearray(1)]:
        return sys.getrefcount(spare)
    raise AssertionError("unreachable")


_HELD_BY_SPARES_ALONE = _refcount_of_a_lone_spare()


class DirectBody(asyncio.BufferedProtocol):
    """The connection's protocol while a direct body is read (see above); the connection's
    other events go to the HTTP protocol. One per connection, reused for each body."""

    def __init__(self, http: PiecewiseBody) -> None:
        self.http = http
        self.cycle: BatchedBodyCycle | None = None
        self.remaining = 0  # body bytes not yet read from the socket
        self.batch: bytearray | None = None  # the buffer being filled
        self.filled = 0
        self.spares: list[bytearray] = []  # this body's full-size buffers, for reuse

    def receive(self, cycle: RequestResponseCycle, length: int) -> None:
        """Read the rest of `cycle`'s body of `length` bytes (its first bytes, read with the
        head, are in `cycle.body` still: they go first into the first buffer)."""
        http = self.http
        prefix = bytes(cycle.body)  # a bytearray, or http_body's BodyPieces
        cycle.body = bytearray()
        cycle.__class__ = BatchedBodyCycle
        assert isinstance(cycle, BatchedBodyCycle)
        cycle.batches = deque()
        cycle.waiting_since = None
        cycle.loop_time = http.loop.time
        self.cycle = cycle
        self.remaining = length - len(prefix)
        self.batch, self.filled = None, 0
        if len(prefix) < BATCH_BYTES:
            self.batch = bytearray(min(BATCH_BYTES, length))
            self.batch[: len(prefix)] = prefix
            self.filled = len(prefix)
        else:
            cycle.batches.append(prefix)  # not after a socket read of ≤ 256 KiB; kept correct
        http.transport.set_protocol(self)

    # asyncio.BufferedProtocol
    def get_buffer(self, sizehint: int) -> memoryview:
        batch = self.batch
        if batch is None:
            batch = self.batch = self.new_batch(min(BATCH_BYTES, self.remaining))
            self.filled = 0
        return memoryview(batch)[self.filled :]  # never longer than the body's remaining bytes

    def new_batch(self, size: int) -> bytearray:
        """A buffer of `size` bytes no one else holds: a spare the app has let go of, or a
        new one."""
        if size != BATCH_BYTES:
            return bytearray(size)
        for spare in self.spares:
            if sys.getrefcount(spare) == _HELD_BY_SPARES_ALONE:
                return spare
        batch = bytearray(size)
        if len(self.spares) < _SPARE_BUFFERS:
            self.spares.append(batch)
        return batch

    def buffer_updated(self, nbytes: int) -> None:
        cycle, batch = self.cycle, self.batch
        assert cycle is not None and batch is not None
        self.filled += nbytes
        self.remaining -= nbytes
        if cycle.response_complete:
            # Answered before its body was in (an early 401): the rest is read and dropped,
            # as uvicorn does, so the connection can carry the next request.
            self.http._unset_keepalive_if_required()
            if len(batch) <= self.remaining:
                self.filled = 0  # refilled: nobody holds it
            else:
                self.batch = None
        elif self.filled == len(batch):
            cycle.batches.append(batch)  # handed over as it is, never written again
            self.batch = None
            cycle.message_event.set()
            self.http.flow.pause_reading()  # until the app takes it
        elif cycle.waiting_since is not None and self.waited_too_long(cycle.waiting_since):
            cycle.batches.append(memoryview(batch)[: self.filled].tobytes())
            self.batch = None
            cycle.message_event.set()
        if self.remaining == 0:
            self.finish()

    def waited_too_long(self, since: float) -> bool:
        return self.http.loop.time() - since >= self.http.partial_after_s

    def finish(self) -> None:
        """The body is in: what follows on the connection is the next request's head."""
        http = self.http
        self.cycle, self.batch, self.spares = None, None, []
        http.parser = httptools.HttpRequestParser(http)
        http.parser.set_dangerous_leniencies(lenient_data_after_close=True)  # as uvicorn does
        http.transport.set_protocol(http)
        http.on_message_complete()

    # The connection's other events are the HTTP protocol's.
    def connection_lost(self, exc: Exception | None) -> None:
        self.cycle, self.batch, self.spares = None, None, []
        self.http.connection_lost(exc)

    def eof_received(self) -> bool | None:
        return self.http.eof_received()  # type: ignore[func-returns-value]

    def pause_writing(self) -> None:
        self.http.pause_writing()

    def resume_writing(self) -> None:
        self.http.resume_writing()


__all__ = ["BATCH_BYTES", "DIRECT_BODY_MIN_BYTES", "DirectBody", "direct_body_length"]
