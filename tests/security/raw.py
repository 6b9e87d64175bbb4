"""Requests no HTTP client library sends: huge heads, bodies fed until the server refuses,
bodies that stop. Each counts the bytes it got out before the server answered.

Plain sockets (in a thread): a server that refuses closes with our bytes unread, which resets
the connection; the kernel still hands over what arrived before the reset, where a stream
reader would drop it."""

from __future__ import annotations

import asyncio
import json
import select
import socket
from dataclasses import dataclass
from typing import Any

import httpx

CHUNK = b"a" * 65536
TIMEOUT_S = 60


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes
    sent: int  # bytes written before the server answered or closed

    def error(self) -> dict[str, Any]:
        error: dict[str, Any] = json.loads(self.body)["error"]
        return error


async def send_until_answered(
    base_url: str, head: bytes, *, filler: bytes = CHUNK, limit: int, chunked: bool = False
) -> RawAnswer:
    """Write `head`, then `filler` until the server answers (or `limit` bytes went out)."""
    piece = b"%x\r\n%s\r\n" % (len(filler), filler) if chunked else filler
    url = httpx.URL(base_url)
    return await asyncio.to_thread(_flood, url.host, url.port or 80, head, piece, limit)


async def send_and_stall(base_url: str, head: bytes, body: bytes) -> RawAnswer:
    """Write `head` and the start of a body, then nothing more: the server must end it."""
    url = httpx.URL(base_url)
    return await asyncio.to_thread(_flood, url.host, url.port or 80, head + body, b"", 0)


def _flood(host: str, port: int, head: bytes, piece: bytes, limit: int) -> RawAnswer:
    received = bytearray()
    sent = 0
    with socket.create_connection((host, port), timeout=TIMEOUT_S) as sock:
        sock.sendall(head)
        sent += len(head)
        sock.setblocking(False)
        open_ = True
        while open_ and sent < limit:
            readable, writable, _ = select.select([sock], [sock], [], TIMEOUT_S)
            if readable:
                open_ = _receive(sock, received)
                if received:
                    break  # the server answered: stop sending
            elif writable:
                try:
                    sent += sock.send(piece)
                except OSError:
                    break  # closed or reset by the server
        sock.setblocking(True)
        while _receive(sock, received):
            pass
    return _parse(bytes(received), sent)


def _receive(sock: socket.socket, into: bytearray) -> bool:
    """Read what is there into `into`; False at the end of the connection."""
    try:
        data = sock.recv(65536)
    except BlockingIOError:
        return True
    except (ConnectionResetError, TimeoutError):
        return False
    into += data
    return bool(data)


def _parse(raw: bytes, sent: int) -> RawAnswer:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0] else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return RawAnswer(status, headers, body, sent)
