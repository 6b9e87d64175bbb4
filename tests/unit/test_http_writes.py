"""`HeldWrites` (decision 0039): a response's head and the body sent right after it leave in one
socket write; a head alone leaves on the loop's next turn; large data is never copied or held.
Counted on a transport that records its writes, and once on a real uvicorn server."""

from __future__ import annotations

import asyncio

import pytest

from argus.entrypoints.http_writes import HeldWrites
from tests.unit.uvicorn_support import answer, get, record_calls, served

pytestmark = pytest.mark.unit


class Recording(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.sent.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def get_write_buffer_size(self) -> int:
        return 0


async def test_a_head_and_its_body_leave_in_one_write() -> None:
    real = Recording()
    writes = HeldWrites(real, asyncio.get_running_loop())
    writes.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert real.sent == [] and writes.get_write_buffer_size() == 19
    writes.write(b"body")
    assert real.sent == [b"HTTP/1.1 200 OK\r\n\r\nbody"]
    await asyncio.sleep(0)  # the flush on the next turn finds nothing held
    assert writes.writes == 1


async def test_a_head_whose_body_comes_later_leaves_on_the_next_turn() -> None:
    real = Recording()
    writes = HeldWrites(real, asyncio.get_running_loop())
    writes.write(b"HTTP/1.1 200 OK\r\n\r\n")
    await asyncio.sleep(0)
    assert real.sent == [b"HTTP/1.1 200 OK\r\n\r\n"]
    writes.write(b"event")
    writes.close()  # what is held goes out before the connection closes
    assert real.sent[1:] == [b"event"] and real.closed


async def test_large_data_is_written_as_given() -> None:
    real = Recording()
    writes = HeldWrites(real, asyncio.get_running_loop())
    big = b"x" * (1 << 20)
    writes.write(b"head")
    writes.write(big)  # too large to join: the head first, then the data in its own write
    assert real.sent == [b"head", big]
    writes.write(big)  # nothing held: straight through
    assert len(real.sent) == 3 and writes.writes == 3


async def test_a_served_response_is_one_write(monkeypatch: pytest.MonkeyPatch) -> None:
    made = record_calls(monkeypatch, HeldWrites, "__init__", lambda writes, *_: writes)
    async with served(answer, idle_s=30.0) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(10):
            assert (await get(reader, writer, "/")).startswith(b"HTTP/1.1 200")
        writer.close()
    assert [w.writes for w in made] == [10]  # uvicorn alone: 20 (the head, then the body)
