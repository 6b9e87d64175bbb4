"""uvicorn's httptools protocol with a bound on the request head (request line plus headers).

httptools has no such bound: a 150 MB header line is read, parsed and kept. Here the bytes
received while a head is incomplete are counted before each parse; past the limit the server
answers 431 with the JSON error body and closes the connection, having parsed at most the
limit plus one socket read (and dropped at most another MiB while closing).
uvicorn's `h11_max_incomplete_event_size` only applies to its h11 protocol, which answers 400
in plain text.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from argus.interfaces.http.errors import code_of, error_bytes
from argus.interfaces.http.guard_browser import DEFAULT_CACHE_CONTROL, SECURITY_HEADERS

# After a 431: at most this much more is read (and dropped), for at most this long.
_LINGER_BYTES = 1 << 20
_LINGER_S = 2.0


def head_limited_protocol(max_head_bytes: int) -> type[asyncio.Protocol]:
    """An httptools protocol class that answers 431 to a head over `max_head_bytes`."""

    class HeadLimitedHttpTools(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.head_bytes = 0
            self.in_head = True
            self.refused = False
            self.discarded = 0

        def on_headers_complete(self) -> None:
            self.in_head = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self.in_head, self.head_bytes = True, 0  # what follows is the next request's head

        def data_received(self, data: bytes) -> None:
            if self.refused:
                # Lingering close: read and drop a little of what the client still sends, so
                # closing does not reset the connection before it reads the 431.
                self.discarded += len(data)
                if self.discarded > _LINGER_BYTES:
                    self.transport.close()
                return
            if self.in_head:
                self.head_bytes += len(data)
            super().data_received(data)
            if (
                self.in_head
                and self.head_bytes > max_head_bytes
                and not self.transport.is_closing()
            ):
                self.refuse_head()

        def refuse_head(self) -> None:
            message = f"request line and headers exceed {max_head_bytes} bytes"
            body = error_bytes(code_of(431), message)
            headers = {
                "Content-Type": "application/json",
                "Content-Length": str(len(body)),
                "Connection": "close",
                "Cache-Control": DEFAULT_CACHE_CONTROL,
                **SECURITY_HEADERS,
            }
            head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            status = b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            self.transport.write(status + head.encode() + b"\r\n" + body)
            self.refused = True
            if self.transport.can_write_eof():
                self.transport.write_eof()
            self.loop.call_later(_LINGER_S, self.transport.close)

    return HeadLimitedHttpTools
