"""The body guard's cost per ASGI message: none, `asyncio.wait_for` per message, one timer.

An upload reaches the app as ~800 body messages per 197 MB (uvloop reads 256,000 bytes at a
time). Each passes `BodyGuard`'s idle bound. This feeds `--messages` messages, each arriving
one loop iteration later (as from a socket), through: no guard; the guard as it was before
decision 0040 (`asyncio.wait_for` around every `receive()`, inlined below); and the guard now
(`interfaces/http/guard_body.py`: one timer per body). Rounds interleave; medians printed.
Usage: python bench/upload_guard.py [--messages 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvloop

from argus.interfaces.http.guard_body import BodyGuard

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
UPLOAD = {"type": "http", "method": "PUT", "path": "/api/v1/batches/b/files/f.mcap", "headers": []}


def socket_like(messages: int) -> Receive:
    """A receive whose every message is set by the loop one iteration later."""
    left = messages
    arrived = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def receive() -> Message:
        nonlocal left
        loop.call_soon(arrived.set)
        await arrived.wait()
        arrived.clear()
        left -= 1
        return {"type": "http.request", "body": b"x", "more_body": left > 0}

    return receive


async def drain(scope: Any, receive: Receive, send: Any) -> None:
    more = True
    while more:
        more = (await receive())["more_body"]


def wait_for_per_message(receive: Receive, idle_s: float) -> Receive:
    """The guard's idle bound before 0040 (its byte counting left out: the new one has it)."""

    async def bounded() -> Message:
        return await asyncio.wait_for(receive(), idle_s)

    return bounded


async def per_message_us(contender: str, messages: int) -> float:
    receive = socket_like(messages)
    start = time.perf_counter()
    if contender == "none":
        await drain(UPLOAD, receive, None)
    elif contender == "wait_for":
        await drain(UPLOAD, wait_for_per_message(receive, 30.0), None)
    else:
        await BodyGuard(drain, max_json_bytes=1 << 20, idle_s=30.0)(UPLOAD, receive, None)  # type: ignore[arg-type]
    return (time.perf_counter() - start) / messages * 1e6


async def main(messages: int, rounds: int) -> None:
    contenders = ["none", "wait_for", "one timer"]
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for round_no in range(rounds):
        turn = round_no % len(contenders)
        for name in contenders[turn:] + contenders[:turn]:
            times[name].append(await per_message_us(name, messages))
    print(f"\n{messages} body messages, {rounds} interleaved rounds, uvloop; µs per message:")
    none = statistics.median(times["none"])
    for name in contenders:
        median = statistics.median(times[name])
        print(f"{name:>10} {median:>6.2f}  (guard's own: {median - none:>5.2f})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    uvloop.run(main(args.messages, args.rounds))
