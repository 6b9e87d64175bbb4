"""Running roles: consumers with graceful drain on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Iterable, Sequence

from redis.asyncio import Redis

from argus.application.delivery import DeliveryPolicy
from argus.application.ports import EventBus
from argus.constants import health_key
from argus.workers.roles import Role

log = logging.getLogger(__name__)


def member_name(role: str) -> str:
    """A consumer name unique per process: host, pid and role."""
    return f"{socket.gethostname()}-{os.getpid()}-{role}"


async def run_roles(
    roles: Sequence[Role], *, bus: EventBus, delivery: DeliveryPolicy, stop: asyncio.Event
) -> None:
    """Run one consumer per role until `stop` is set; each drains its in-flight work."""
    tasks = [
        asyncio.create_task(
            _supervised(role, bus=bus, delivery=delivery, stop=stop), name=f"role:{role.group}"
        )
        for role in roles
    ]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()


async def _supervised(
    role: Role, *, bus: EventBus, delivery: DeliveryPolicy, stop: asyncio.Event
) -> None:
    """A consumer that fails (its broker went away) is started again: one role's trouble must
    not stop the others, and what it had not acknowledged is delivered again."""
    while not stop.is_set():
        consumer = bus.consumer(
            group=role.group,
            families=role.families,
            name=member_name(role.group),
            concurrency=role.concurrency,
            delivery=delivery,
        )
        try:
            await consumer.run(role.handle, stop=stop, on_give_up=role.give_up)
        except Exception:
            log.exception(
                "consumer of %s failed; restarting in %.0f s", role.group, _RESTART_DELAY_S
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), _RESTART_DELAY_S)


_RESTART_DELAY_S = 2.0


def stop_on_signals(
    stop: asyncio.Event, signals: Iterable[int] = (signal.SIGTERM, signal.SIGINT)
) -> None:
    """SIGTERM/SIGINT set `stop`: consumers stop reading and finish what they hold. Off the
    main thread (an app run inside a test's thread) signals cannot be caught: nothing is set."""
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)


async def heartbeat(redis: Redis, role: str, stop: asyncio.Event) -> None:
    """Keep `argus:health:{role}:{member}` alive (TTL 15 s) until `stop`; then remove it."""
    key = health_key(role, member_name(role))
    while not stop.is_set():
        with contextlib.suppress(Exception):  # a missed beat is what the TTL is for
            await redis.set(key, "ok", ex=_HEARTBEAT_TTL_S)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), _HEARTBEAT_S)
    with contextlib.suppress(Exception):
        await redis.delete(key)


_HEARTBEAT_S = 5
_HEARTBEAT_TTL_S = 15
