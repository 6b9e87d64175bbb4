"""The body guard's idle bound: one timer per body (not a task and a timer per message), the
same 408 for a body that stalls, and someone else's cancel left alone."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pytest
from starlette.exceptions import HTTPException

from argus.interfaces.http.guard_body import BodyGuard, IdleDeadline

pytestmark = pytest.mark.unit

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
UPLOAD = {"type": "http", "method": "PUT", "path": "/api/v1/batches/b/files/f.mcap", "headers": []}


def body_of(pieces: int) -> Receive:
    """The server's receive: `pieces` body messages, each after one trip through the loop."""
    left = pieces

    async def receive() -> Message:
        nonlocal left
        await asyncio.sleep(0)  # the message comes in a later loop iteration, as from a socket
        left -= 1
        return {"type": "http.request", "body": b"x" * 100, "more_body": left > 0}

    return receive


async def drain(scope: Message, receive: Receive, send: Any) -> None:
    more = True
    while more:
        more = (await receive()).get("more_body", False)


async def test_a_body_of_a_thousand_messages_arms_one_timer_and_starts_no_task() -> None:
    loop = asyncio.get_running_loop()
    timers, tasks = 0, 0
    call_at = loop.call_at

    def counting_call_at(*args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        nonlocal timers
        timers += 1
        return call_at(*args, **kwargs)

    def counting_factory(loop: asyncio.AbstractEventLoop, coro: Any) -> asyncio.Task[Any]:
        nonlocal tasks
        tasks += 1
        return asyncio.Task(coro, loop=loop)

    guard = BodyGuard(drain, max_json_bytes=1 << 20, idle_s=30.0)
    loop.call_at = counting_call_at  # type: ignore[method-assign]
    loop.set_task_factory(counting_factory)
    try:
        await guard(UPLOAD, body_of(1000), None)  # type: ignore[arg-type]
    finally:
        loop.set_task_factory(None)
        del loop.call_at
    assert (timers, tasks) == (1, 0)


async def test_a_body_that_stalls_is_cut_with_408_and_its_wait_is_cancelled() -> None:
    stalled = asyncio.get_running_loop().create_future()
    served = 0

    async def receive() -> Message:
        nonlocal served
        served += 1
        if served == 1:
            return {"type": "http.request", "body": b"x", "more_body": True}
        await stalled  # the client sends nothing more
        raise AssertionError("unreachable")

    guard = BodyGuard(drain, max_json_bytes=1 << 20, idle_s=0.05)
    with pytest.raises(HTTPException) as refused:
        await guard(UPLOAD, receive, None)  # type: ignore[arg-type]
    assert refused.value.status_code == 408
    assert refused.value.detail == "the request body sent nothing for 0.05 s"
    assert refused.value.headers == {"Connection": "close"}
    assert stalled.cancelled()


async def test_a_cancel_from_elsewhere_during_a_wait_stays_a_cancel() -> None:
    waiting = asyncio.Event()

    async def receive() -> Message:
        waiting.set()
        await asyncio.get_running_loop().create_future()  # never answered
        raise AssertionError("unreachable")

    guard = BodyGuard(drain, max_json_bytes=1 << 20, idle_s=30.0)
    upload = asyncio.create_task(guard(UPLOAD, receive, None))  # type: ignore[arg-type]
    await waiting.wait()
    upload.cancel()  # e.g. the server shutting down
    with pytest.raises(asyncio.CancelledError):
        await upload


async def test_a_cancel_from_elsewhere_in_the_same_turn_as_the_cut_stays_a_cancel() -> None:
    deadline = IdleDeadline(30.0)
    ours: list[bool] = []

    async def wait_for_a_message() -> None:
        deadline.waiting()
        try:
            await asyncio.get_running_loop().create_future()
        except asyncio.CancelledError:
            ours.append(deadline.cut_this_wait())
            raise

    waiter = asyncio.create_task(wait_for_a_message())
    await asyncio.sleep(0)  # it is waiting
    waiter.cancel()  # someone else's (a shutdown), not delivered yet
    assert deadline.since is not None
    deadline.since -= 60  # the wait is past its bound, and the cut comes in the same turn
    deadline.check()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    deadline.disarm()
    assert ours == [False]  # a 408 here would swallow the shutdown's cancel


async def test_a_json_body_past_its_limit_is_413_while_it_streams() -> None:
    scope = {**UPLOAD, "method": "POST", "path": "/api/v1/batches"}
    guard = BodyGuard(drain, max_json_bytes=250, idle_s=30.0)
    with pytest.raises(HTTPException) as refused:
        await guard(scope, body_of(5), None)  # type: ignore[arg-type]
    assert refused.value.status_code == 413
