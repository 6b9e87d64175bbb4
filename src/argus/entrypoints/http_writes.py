"""One socket write per small response on uvicorn (decision 0039).

uvicorn writes a response's head when the app sends `http.response.start` and its body when
it sends `http.response.body`: two `send` system calls for every response, a quarter of a
process' time on hot report reads (py-spy: the two writes 27 % of the samples). Here a small
write is held until the next one, which goes out with it in one call, or until the event
loop's next turn, whichever comes first: a head and the body sent right after it leave
together, a head whose body comes later (a progress stream) leaves on the next turn.
At most one write of at most `_HOLD_BYTES` is held, so nothing grows and large bodies are
never copied."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

# A response head, or a small body: held for the write that follows it.
_HOLD_BYTES = 16 << 10
# Joined with a held write into one call up to this size; larger data goes in its own call.
_JOIN_BYTES = 64 << 10


class HeldWrites(asyncio.Transport):
    """The connection's transport, with a small write held for the next one (see above);
    `writes` counts the calls made to the real transport (tests)."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None
        self.writes = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if held is not None:
            self._held = None
            if len(data) <= _JOIN_BYTES:
                self._send(held + data)
                return
            self._send(held)
        if held is None and 0 < len(data) <= _HOLD_BYTES:
            self._held = bytes(data)
            self._loop.call_soon(self.flush)
            return
        if data:
            self._send(data)

    def flush(self) -> None:
        """Send what is held (the loop's next turn, or before anything but a write)."""
        held, self._held = self._held, None
        if held is not None:
            self._send(held)

    def _send(self, data: bytes | bytearray | memoryview) -> None:
        self.writes += 1
        self._transport.write(data)

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        self.flush()
        self._transport.writelines(list_of_data)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        held = 0 if self._held is None else len(self._held)
        return self._transport.get_write_buffer_size() + held

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._transport.get_write_buffer_limits()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()
