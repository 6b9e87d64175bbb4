"""One member of a Redis Streams consumer group (see streams_bus.py for the semantics).

I/O only: read (XREADGROUP), take over (XPENDING + XCLAIM), heartbeat, acknowledge (XACK),
dead-letter (XADD + XACK). What happens to a message is `argus.application.delivery`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from argus.application.delivery import Delivery, DeliveryPolicy, GiveUp, Handler, Outcome
from argus.constants import DEAD_LETTER_STREAM

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsumerTuning:
    block_ms: int = 1000
    claim_idle_ms: int = 30_000


class _Message:
    """One stream entry held by this member; `Delivered` for the delivery policy."""

    def __init__(
        self,
        redis: Redis,
        group: str,
        stream: str,
        message_id: str,
        fields: dict[bytes, bytes],
        deliveries: int,
    ) -> None:
        self._redis = redis
        self._group = group
        self.stream = stream
        self.message_id = message_id
        self._fields = fields
        # XREADGROUP ">" delivers for the first time; a take-over knows XPENDING's count.
        self.deliveries = deliveries

    @property
    def payload(self) -> bytes:
        return self._fields.get(b"event", b"")

    async def ack(self) -> None:
        await self._redis.xack(self.stream, self._group, self.message_id)

    async def dead_letter(self, error: BaseException, *, attempts: int) -> None:
        fields: dict[Any, Any] = {
            "stream": self.stream,
            "message_id": self.message_id,
            "group": self._group,
            "error": repr(error)[:2000],
            "attempts": attempts,
            "event": self.payload,
        }
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(DEAD_LETTER_STREAM, fields, maxlen=100_000, approximate=True)
            pipe.xack(self.stream, self._group, self.message_id)
            await pipe.execute()


class RedisStreamConsumer:
    """Reads and takes over messages, runs them with bounded concurrency, drains."""

    def __init__(
        self,
        redis: Redis,
        *,
        group: str,
        streams: list[str],
        name: str,
        concurrency: int,
        delivery: DeliveryPolicy,
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
        self._delivery = Delivery(delivery, group=group)
        self._tuning = tuning
        self._in_flight: dict[tuple[str, str], asyncio.Task[Outcome]] = {}
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
                    self._backlog.extend(await self._reclaim_if_due(free) or await self._read(free))
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
            _Message(self._redis, self._group, _text(stream), _text(message_id), fields, 1)
            for stream, messages in response or []
            for message_id, fields in messages
            if fields  # a trimmed entry comes back empty
        ]

    async def _reclaim_if_due(self, count: int) -> list[_Message]:
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
                    log.warning(
                        "%s took over %s from %s", self._name, message_id, _text(entry["consumer"])
                    )
                    deliveries = entry["times_delivered"] + 1  # XCLAIM counted one more
                    claimed.append(
                        _Message(
                            self._redis, self._group, stream, _text(claimed_id), fields, deliveries
                        )
                    )
        return claimed

    async def _start(self, message: _Message, handler: Handler, on_give_up: GiveUp | None) -> None:
        key = (message.stream, message.message_id)
        task = asyncio.create_task(self._delivery.deliver(message, handler, on_give_up))
        self._in_flight[key] = task
        task.add_done_callback(lambda _t: self._in_flight.pop(key, None))

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
