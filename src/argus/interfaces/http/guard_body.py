"""Request bodies: a JSON body larger than its limit is refused before it is read whole (by
`Content-Length` up front, by counting while a chunked body streams), and a body that sends
nothing for `idle_s` is cut. A refusal closes the connection so the rest is never read."""

from __future__ import annotations

import asyncio

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from argus.interfaces.http.errors import send_error
from argus.interfaces.http.routes_kind import RouteKind, header, kind_of

_CLOSE = {"Connection": "close"}


class BodyGuard:
    """Pure ASGI middleware over the app (no buffering of its own)."""

    def __init__(self, app: ASGIApp, *, max_json_bytes: int, idle_s: float) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.idle_s = idle_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = None if kind_of(scope) is RouteKind.UPLOAD else self.max_json_bytes
        declared = header(scope, b"content-length")
        if limit is not None and declared is not None and _exceeds(declared, limit):
            await send_error(
                send, 413, f"request body is {declared} bytes; the limit is {limit}", headers=_CLOSE
            )
            return
        await self.app(scope, self._bounded(receive, limit), send)

    def _bounded(self, receive: Receive, limit: int | None) -> Receive:
        received = 0
        done = False

        async def bounded_receive() -> Message:
            nonlocal received, done
            if done:  # the body is in: what follows is waiting for a disconnect
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.idle_s)
            except TimeoutError:
                raise HTTPException(
                    408, f"the request body sent nothing for {self.idle_s:g} s", headers=_CLOSE
                ) from None
            if message["type"] != "http.request":
                done = True
                return message
            received += len(message.get("body", b""))
            done = not message.get("more_body", False)
            if limit is not None and received > limit:
                raise HTTPException(
                    413, f"request body exceeds the limit of {limit} bytes", headers=_CLOSE
                )
            return message

        return bounded_receive


def _exceeds(declared: str, limit: int) -> bool:
    # More digits than any sane length: no int() of a 16 KiB number.
    return declared.isdigit() and (len(declared) > 18 or int(declared) > limit)
