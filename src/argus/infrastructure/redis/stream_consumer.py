"""One member of a Redis Streams consumer group (see streams_bus.py for the semantics)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from argus.application.ports import GiveUp, Handler, RetryPolicy
from argus.constants import DEAD_LETTER_STREAM
from argus.domain.errors import InvalidInput
from argus.domain.events import Event, event_from_wire

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsumerTuning:
    block_ms: int = 1000
    claim_idle_ms: int = 30_000
    # A message delivered this often (its consumers kept dying) is dead-lettered: a poison pill.
    max_deliveries: int = 5


@dataclass(frozen=True)
class _Message:
    stream: str
    message_id: str
    fields: dict[bytes, bytes]


class RedisStreamConsumer:
    """Reads, runs the handler with bounded concurrency, acks, retries, reclaims, drains."""

    def __init__(
        self,
        redis: Redis,
        *,
        group: str,
        streams: list[str],
        name: str,
        concurrency: int,
        retry: RetryPolicy,
        tuning: ConsumerTuning,
    ) -> None:
        self._redis = redis
        self._group = group
        self._streams = streams
        self._name = name
        self._concurrency = concurrency
        # XREADGROUP's COUNT applies per stream: a read over several streams can return more
        # messages than free slots. They are ours already, so they wait here for a slot.
        self._backlog: deque[_Message] = deque()
        self._retry = retry
        self._tuning = tuning
        self._in_flight: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._next_reclaim_at = 0.0

    async def run(
        self, handler: Handler, *, stop: asyncio.Event, on_give_up: GiveUp | None = None
    ) -> None:
        """Consume until `stop` is set, then let in-flight handlers finish (graceful drain)."""
        await self._ensure_groups()
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            while not stop.is_set():
                free = await self._wait_for_slot(stop)
                if free <= 0:
                    continue
                if not self._backlog:
                    self._backlog.extend(
                        await self._reclaim_if_due(free, on_give_up) or await self._read(free)
                    )
                while self._backlog and len(self._in_flight) < self._concurrency:
                    await self._start(self._backlog.popleft(), handler, on_give_up)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            if self._in_flight:
                await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
            # Backlog messages stay pending in the group: another member takes them over.

    async def _ensure_groups(self) -> None:
        for stream in self._streams:
            try:
                # "0": a group created late still sees the events already in the stream.
                await self._redis.xgroup_create(stream, self._group, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def _wait_for_slot(self, stop: asyncio.Event) -> int:
        free = self._concurrency - len(self._in_flight)
        if free > 0:
            return free
        done = asyncio.create_task(stop.wait())
        await asyncio.wait([done, *self._in_flight.values()], return_when=asyncio.FIRST_COMPLETED)
        done.cancel()
        return self._concurrency - len(self._in_flight)

    async def _read(self, count: int) -> list[_Message]:
        # redis-py types replies loosely; their shape is fixed by the command, so Any it is.
        response: Any = await self._redis.xreadgroup(
            self._group,
            self._name,
            dict.fromkeys(self._streams, ">"),
            count=count,
            block=self._tuning.block_ms,
        )
        return [
            _Message(_text(stream), _text(message_id), fields)
            for stream, messages in response or []
            for message_id, fields in messages
            if fields  # a trimmed entry comes back empty
        ]

    async def _reclaim_if_due(self, count: int, on_give_up: GiveUp | None) -> list[_Message]:
        """Take over messages another member left idle for too long (it probably died)."""
        now = asyncio.get_running_loop().time()
        if now < self._next_reclaim_at:
            return []
        self._next_reclaim_at = now + self._tuning.claim_idle_ms / 2000
        claimed: list[_Message] = []
        for stream in self._streams:
            pending: Any = await self._redis.xpending_range(
                stream, self._group, min="-", max="+", count=count, idle=self._tuning.claim_idle_ms
            )
            for entry in pending:
                message_id = _text(entry["message_id"])
                if (stream, message_id) in self._in_flight:
                    continue
                messages: Any = await self._redis.xclaim(
                    stream, self._group, self._name, self._tuning.claim_idle_ms, [message_id]
                )
                for claimed_id, fields in messages:
                    if not fields:
                        await self._redis.xack(stream, self._group, claimed_id)
                        continue
                    message = _Message(stream, _text(claimed_id), fields)
                    if entry["times_delivered"] + 1 > self._tuning.max_deliveries:
                        await self._poison(message, on_give_up, entry["times_delivered"] + 1)
                    else:
                        log.warning(
                            "%s took over %s from %s",
                            self._name,
                            message_id,
                            _text(entry["consumer"]),
                        )
                        claimed.append(message)
        return claimed

    async def _start(self, message: _Message, handler: Handler, on_give_up: GiveUp | None) -> None:
        key = (message.stream, message.message_id)
        task = asyncio.create_task(self._process(message, handler, on_give_up))
        self._in_flight[key] = task
        task.add_done_callback(lambda _t: self._in_flight.pop(key, None))

    async def _process(
        self, message: _Message, handler: Handler, on_give_up: GiveUp | None
    ) -> None:
        try:
            event = event_from_wire(json.loads(message.fields[b"event"]))
        except (InvalidInput, KeyError, ValueError) as exc:
            await self._dead_letter(message, exc, attempts=0)
            return
        for attempt in range(1, self._retry.max_attempts + 1):
            try:
                await handler(event)
            except Exception as exc:
                if attempt == self._retry.max_attempts:
                    await self._give_up(message, event, exc, on_give_up, attempt)
                    return
                log.warning(
                    "handler failed on %s (attempt %d): %r", message.message_id, attempt, exc
                )
                await asyncio.sleep(self._retry.delay_s(attempt))
            else:
                await self._redis.xack(message.stream, self._group, message.message_id)
                return

    async def _poison(self, message: _Message, on_give_up: GiveUp | None, deliveries: int) -> None:
        error = RuntimeError(f"delivered {deliveries} times; its consumers kept dying")
        try:
            event = event_from_wire(json.loads(message.fields[b"event"]))
        except (InvalidInput, KeyError, ValueError) as exc:
            await self._dead_letter(message, exc, attempts=deliveries)
            return
        await self._give_up(message, event, error, on_give_up, deliveries)

    async def _give_up(
        self,
        message: _Message,
        event: Event,
        error: BaseException,
        on_give_up: GiveUp | None,
        attempts: int,
    ) -> None:
        log.error("giving up on %s after %d attempts: %r", message.message_id, attempts, error)
        if on_give_up is not None:
            await on_give_up(event, error)
        await self._dead_letter(message, error, attempts=attempts)

    async def _dead_letter(self, message: _Message, error: BaseException, *, attempts: int) -> None:
        fields: dict[Any, Any] = {
            "stream": message.stream,
            "message_id": message.message_id,
            "group": self._group,
            "error": repr(error)[:2000],
            "attempts": attempts,
            "event": message.fields.get(b"event", b""),
        }
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(DEAD_LETTER_STREAM, fields, maxlen=100_000, approximate=True)
            pipe.xack(message.stream, self._group, message.message_id)
            await pipe.execute()

    async def _heartbeat(self) -> None:
        """Reset the idle time of held messages so no healthy work is taken over."""
        interval_s = self._tuning.claim_idle_ms / 3000
        while True:
            await asyncio.sleep(interval_s)
            held = [*self._in_flight, *((m.stream, m.message_id) for m in self._backlog)]
            try:
                for stream, message_id in held:
                    # JUSTID: refreshes ownership and idle time without counting a delivery.
                    await self._redis.xclaim(
                        stream, self._group, self._name, 0, [message_id], justid=True
                    )
            except Exception:  # Redis away for a moment: keep beating, do not die silently
                log.warning("heartbeat of %s failed", self._name, exc_info=True)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
