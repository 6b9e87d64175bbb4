"""A blocking, streaming reader over an S3 object, for parser threads.

The parser is synchronous and runs in a worker thread (`asyncio.to_thread`), but the S3 client
is asynchronous and bound to the event loop that created it (its aiohttp connection pool
belongs to that loop). The reader therefore hands each read to that loop with
`run_coroutine_threadsafe` and blocks its own thread on the result: the object streams through
the client the rest of the process already uses, one bounded chunk at a time, and the loop
stays free for other work in between.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from argus.domain.errors import Unavailable
from argus.infrastructure.s3._errors import translated

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
    from aiobotocore.response import StreamingBody

T = TypeVar("T")


class LoopBridge:
    """Runs coroutines on `loop` from other threads and waits for them."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, timeout_s: float) -> None:
        self.loop = loop
        # A backstop for a stopped or wedged loop; slow networks trip the client's own
        # per-read timeout long before this.
        self._timeout_s = timeout_s

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the loop and return its result; only from another thread."""
        if self._on_loop_thread() or self.loop.is_closed():
            coro.close()
            if self.loop.is_closed():
                raise Unavailable("the event loop of the object store client is closed")
            raise RuntimeError(
                "this call blocks; run it in a worker thread (asyncio.to_thread), "
                "not on the event loop"
            )
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(self._timeout_s)
        except concurrent.futures.TimeoutError as exc:
            if future.done():  # the coroutine itself timed out: not ours to rename
                raise
            future.cancel()
            raise Unavailable(f"object storage did not answer in {self._timeout_s:.0f} s") from exc

    def call_soon(self, callback: Any) -> None:
        """Schedule a plain callback on the loop without waiting; a closed loop is ignored."""
        with contextlib.suppress(RuntimeError):  # loop closed: its connections are gone
            self.loop.call_soon_threadsafe(callback)

    def _on_loop_thread(self) -> bool:
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False


class S3ObjectReader(io.RawIOBase):
    """Raw reads of one GetObject body; wrap in `io.BufferedReader` for the full file API."""

    def __init__(
        self, body: StreamingBody, *, key: str, bridge: LoopBridge, chunk_bytes: int
    ) -> None:
        super().__init__()
        self._body = body
        self._key = key
        self._bridge = bridge
        self._chunk_bytes = chunk_bytes
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        """Fill up to one chunk of `buffer`; 0 only at the end of the object."""
        view = memoryview(buffer).cast("B")
        data = self._read_chunk(min(len(view), self._chunk_bytes))
        view[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        """The rest of the object, read chunk by chunk (RawIOBase would use 8 KiB hops)."""
        pieces = []
        while piece := self._read_chunk(self._chunk_bytes):
            pieces.append(piece)
        return b"".join(pieces)

    def close(self) -> None:
        if not self.closed:
            # Not waited for: close() also runs from __del__, possibly on the loop's thread.
            self._bridge.call_soon(self._body.close)
        super().close()

    def _read_chunk(self, size: int) -> bytes:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        if self._eof or size <= 0:
            return b""
        data = self._bridge.run(self._read_up_to(size))
        if len(data) < size:
            self._eof = True
        return data

    async def _read_up_to(self, size: int) -> bytes:
        # aiohttp hands out whatever arrived; gather a full chunk so one thread hop moves
        # `size` bytes, not a single network packet.
        pieces = []
        remaining = size
        async with translated(self._key):
            while remaining > 0:
                piece = await self._body.read(remaining)
                if not piece:
                    break
                pieces.append(piece)
                remaining -= len(piece)
        return b"".join(pieces)
