"""uvicorn's httptools protocol with bounds on the request head (request line plus headers).

httptools has no size bound: a 150 MB header line is read, parsed and kept. Here the bytes
received while a head is incomplete are counted before each parse; past the limit the server
answers 431 with the JSON error body and closes the connection, having parsed at most the
limit plus one socket read (and dropped at most another MiB while closing). uvicorn has no
time bound on a head either (slow-loris): a head that sends nothing for `idle_s` is answered
408, a connection that never starts a request is closed. uvicorn's
`h11_max_incomplete_event_size` only applies to its h11 protocol, which answers 400 in plain text.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import ClassVar

from argus.entrypoints.http_body import PiecewiseBody
from argus.entrypoints.http_writes import HeldWrites
from argus.interfaces.http.errors import code_of, error_bytes
from argus.interfaces.http.guard_browser import DEFAULT_CACHE_CONTROL, SECURITY_HEADERS

# After a refusal: at most this much more is read (and dropped), for at most this long.
_LINGER_BYTES = 1 << 20
_LINGER_S = 2.0


class HeadLimitedHttpTools(PiecewiseBody):
    """Set `max_head_bytes` and `idle_s` in a subclass: `head_limited_protocol` does."""

    max_head_bytes: ClassVar[int]
    idle_s: ClassVar[float]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.head_bytes = 0
        self.in_head = True
        self.refused = False
        self.discarded = 0
        self.head_timer: asyncio.TimerHandle | None = None
        self.head_since = 0.0  # when the current head wait started, or its last bytes came
        self.head_waiting = False  # no request is being answered: a head may stall

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # A response's head and body in one socket write (http_writes, decision 0039).
        super().connection_made(HeldWrites(transport, self.loop))
        self.head_waiting = True
        self.arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm_head_timer()
        super().connection_lost(exc)

    def arm_head_timer(self) -> None:
        """The head wait starts again now. The timer is lazy (decision 0039): one per
        connection, pending until it fires, then it checks how long the head has waited and
        re-arms for the rest; a kept-alive connection's requests and a head's bytes only note
        the time, where a timer made and cancelled per request cost 6 % of a process."""
        self.head_since = self.loop.time()
        if self.head_timer is None:
            self.head_timer = self.loop.call_at(self.head_since + self.idle_s, self.head_due)

    def head_due(self) -> None:
        self.head_timer = None
        if self.transport.is_closing() or not self.head_waiting or self.answering():
            return  # a request is being answered: the next head wait arms the timer again
        due = self.head_since + self.idle_s
        if self.loop.time() < due:
            self.head_timer = self.loop.call_at(due, self.head_due)
            return
        self.head_stalled()

    def answering(self) -> bool:
        """A request's response is still under way (a pipelined one, read with the request
        before it, runs after that one's response completed)."""
        return self.cycle is not None and not self.cycle.response_complete

    def disarm_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def head_stalled(self) -> None:
        if self.head_bytes == 0:
            self.transport.close()  # no request started: nothing to answer
            return
        self.refuse(408, f"the request head sent nothing for {self.idle_s:g} s")

    def on_headers_complete(self) -> None:
        self.in_head = self.head_waiting = False  # the pending timer will find no head waiting
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.in_head, self.head_bytes = True, 0  # what follows is the next request's head
        if not self.answering() and not self.transport.is_closing():
            # Answered before its body was in (an early 401 or 413): on_response_complete
            # found no head to wait for, so the next head's wait starts now.
            self.head_waiting = True
            self.arm_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.in_head and not self.transport.is_closing():
            self.head_waiting = True
            self.arm_head_timer()  # the next request's head, on a kept-alive connection

    def data_received(self, data: bytes) -> None:
        if self.refused:
            # Lingering close: read and drop a little of what the client still sends, so
            # closing does not reset the connection before it reads the refusal.
            self.discarded += len(data)
            if self.discarded > _LINGER_BYTES:
                self.transport.close()
            return
        if self.in_head:
            self.head_bytes += len(data)
            if self.head_waiting:
                self.arm_head_timer()  # bytes came: the wait starts again
        super().data_received(data)
        too_long = self.in_head and self.head_bytes > self.max_head_bytes
        if too_long and not self.transport.is_closing():
            self.refuse(431, f"request line and headers exceed {self.max_head_bytes} bytes")

    def refuse(self, status: int, message: str) -> None:
        """Answer `status` with the JSON error body, then close (after a short linger)."""
        self.disarm_head_timer()
        body = error_bytes(code_of(status), message)
        headers = {
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            "Connection": "close",
            "Cache-Control": DEFAULT_CACHE_CONTROL,
            **SECURITY_HEADERS,
        }
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        status_line = f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        self.transport.write((status_line + head + "\r\n").encode() + body)
        self.refused = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(_LINGER_S, self.transport.close)


def head_limited_protocol(max_head_bytes: int, idle_s: float) -> type[asyncio.Protocol]:
    """The protocol class for uvicorn's `http=`, with these bounds."""
    bounds = {"max_head_bytes": max_head_bytes, "idle_s": idle_s}
    return type("BoundedHttpTools", (HeadLimitedHttpTools,), bounds)
