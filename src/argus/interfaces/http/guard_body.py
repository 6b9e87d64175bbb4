"""Request bodies: a JSON body larger than its limit is refused before it is read whole (by
`Content-Length` up front, by counting while a chunked body streams), and a body that sends
nothing for `idle_s` is cut. A refusal closes the connection so the rest is never read.

The idle bound is one timer per body, not one per message: an upload is thousands of ASGI
messages, and `asyncio.wait_for` around each made a task, a future and a timer for every one
(decision 0040). Each `receive()` only notes when its wait began; the timer, when it fires,
looks whether a wait has lasted `idle_s` and either cuts it (cancels the waiting task, as
`wait_for` cancelled its inner one) or re-arms itself for when that wait would reach `idle_s`.
"""

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
        deadline = IdleDeadline(self.idle_s)
        try:
            await self.app(scope, self._bounded(receive, limit, deadline), send)
        finally:
            deadline.disarm()

    def _bounded(self, receive: Receive, limit: int | None, deadline: IdleDeadline) -> Receive:
        received = 0
        done = False

        async def bounded_receive() -> Message:
            nonlocal received, done
            if done:  # the body is in: what follows is waiting for a disconnect
                return await receive()
            deadline.waiting()
            try:
                message = await receive()
            except asyncio.CancelledError:
                if deadline.cut_this_wait():
                    raise HTTPException(
                        408, f"the request body sent nothing for {self.idle_s:g} s", headers=_CLOSE
                    ) from None
                raise
            finally:
                deadline.since = None
            if message["type"] != "http.request":
                done = True
                deadline.disarm()
                return message
            received += len(message.get("body", b""))
            done = not message.get("more_body", False)
            if done:
                deadline.disarm()
            if limit is not None and received > limit:
                raise HTTPException(
                    413, f"request body exceeds the limit of {limit} bytes", headers=_CLOSE
                )
            return message

        return bounded_receive


class IdleDeadline:
    """Cuts a wait for the next body message that lasts `idle_s`: one timer, re-armed lazily."""

    __slots__ = ("cancelling", "expired", "idle_s", "loop", "since", "timer", "waiter")

    def __init__(self, idle_s: float) -> None:
        self.idle_s = idle_s
        self.loop = asyncio.get_running_loop()
        self.since: float | None = None  # when the current wait began (None: not waiting)
        self.waiter: asyncio.Task[object] | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.expired = False
        self.cancelling = 0  # the waiter's cancel requests when its wait began (others' win)

    def waiting(self) -> None:
        """A wait begins now (per message: a clock read and two stores, no new object)."""
        self.since = now = self.loop.time()
        self.waiter = waiter = asyncio.current_task()
        # Cancel requests already made are others' (as asyncio.timeout counts them at entry):
        # counted when the cut comes, one made in the same loop turn would be taken for ours.
        self.cancelling = 0 if waiter is None else waiter.cancelling()
        if self.timer is None:
            self.timer = self.loop.call_at(now + self.idle_s, self.check)

    def check(self) -> None:
        self.timer = None
        since = self.since
        if since is None or self.waiter is None:
            return  # between waits: the next wait arms the timer again
        due = since + self.idle_s
        if self.loop.time() < due:
            self.timer = self.loop.call_at(due, self.check)
            return
        self.expired = True
        self.waiter.cancel()

    def cut_this_wait(self) -> bool:
        """In the waiter's `except CancelledError`: was it our cut (and no one else's cancel)?"""
        if not self.expired or self.waiter is None:
            return False
        self.expired = False
        return self.waiter.uncancel() <= self.cancelling

    def disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


def _exceeds(declared: str, limit: int) -> bool:
    # More digits than any sane length: no int() of a 16 KiB number.
    return declared.isdigit() and (len(declared) > 18 or int(declared) > limit)
