"""In-memory fakes of the Redis-backed ports, the event bus and the blob store."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from argus.application.delivery import Delivery, DeliveryPolicy, GiveUp, Handler
from argus.application.ports import BarrierCount, ProgressEntry, StoredBlob
from argus.domain.errors import IntegrityError, NotFound, PayloadTooLarge
from argus.domain.events import Event, event_from_wire, event_to_wire


class FakeBarrier:
    def __init__(self) -> None:
        self.counters: dict[str, tuple[int, set[str]]] = {}

    async def prepare(self, batch_id: str, total: int) -> None:
        self.counters.setdefault(batch_id, (total, set()))

    async def arrive(self, batch_id: str, file_id: str) -> BarrierCount | None:
        if batch_id not in self.counters:
            return None
        total, finished = self.counters[batch_id]
        finished.add(file_id)
        return BarrierCount(finished=len(finished), total=total)

    async def rebuild(self, batch_id: str, total: int, finished_file_ids: Sequence[str]) -> None:
        _, finished = self.counters.get(batch_id, (total, set()))
        self.counters[batch_id] = (total, finished | set(finished_file_ids))


class FakeReportCache:
    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    async def get(self, batch_id: str) -> bytes | None:
        return self.entries.get(batch_id)

    async def set(self, batch_id: str, payload: bytes) -> None:
        self.entries[batch_id] = payload

    async def delete(self, batch_id: str) -> None:
        self.entries.pop(batch_id, None)


class FakeProgressChannel:
    """In memory; `read` blocks up to `block_ms` for new entries, as XREAD BLOCK does."""

    def __init__(self) -> None:
        self.streams: dict[str, list[ProgressEntry]] = defaultdict(list)
        self.seen: set[tuple[str, str]] = set()
        self.appended = asyncio.Condition()
        self.reads = 0
        self.blocking_now = 0  # reads waiting right now
        self.most_blocking = 0

    async def append(self, batch_id: str, *, event_id: str, data: dict[str, Any]) -> bool:
        if (batch_id, event_id) in self.seen:
            return False
        self.seen.add((batch_id, event_id))
        stream = self.streams[batch_id]
        stream.append(ProgressEntry(entry_id=f"{len(stream) + 1}-0", data=dict(data)))
        async with self.appended:
            self.appended.notify_all()
        return True

    async def read(self, batch_id: str, *, after: str | None, block_ms: int) -> list[ProgressEntry]:
        self.reads += 1
        position = 0 if after is None else int(after.split("-")[0])
        if block_ms and len(self.streams[batch_id]) <= position:
            self.blocking_now += 1
            self.most_blocking = max(self.most_blocking, self.blocking_now)
            try:
                async with self.appended:
                    await asyncio.wait_for(
                        self.appended.wait_for(lambda: len(self.streams[batch_id]) > position),
                        block_ms / 1000,
                    )
            except TimeoutError:
                pass
            finally:
                self.blocking_now -= 1
        return self.streams[batch_id][position:]

    async def last_id(self, batch_id: str) -> str | None:
        stream = self.streams.get(batch_id)
        return stream[-1].entry_id if stream else None


class FakeBlobStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterator[bytes],
        *,
        max_bytes: int,
        expected_sha256: str | None = None,
    ) -> StoredBlob:
        parts = []
        size = 0
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(f"file exceeds the limit of {max_bytes} bytes")
            parts.append(chunk)
        data = b"".join(parts)
        sha256 = hashlib.sha256(data).hexdigest()
        if expected_sha256 is not None and sha256 != expected_sha256:
            raise IntegrityError("checksum mismatch")
        self.objects[key] = data
        return StoredBlob(key=key, size=size, sha256=sha256)

    async def put_bytes(self, key: str, data: bytes) -> None:
        self.objects[key] = bytes(data)

    async def get_bytes(self, key: str) -> bytes:
        if key not in self.objects:
            raise NotFound(f"object {key} not found")
        return self.objects[key]

    def open_reader(self, key: str) -> BinaryIO:
        if key not in self.objects:
            raise NotFound(f"object {key} not found")
        return io.BytesIO(self.objects[key])

    async def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    async def exists(self, key: str) -> bool:
        return key in self.objects

    async def purge_partial_uploads(self, older_than: datetime) -> int:
        return 0  # put_stream above is one assignment: it never leaves a partial write


@dataclass(frozen=True)
class FakeDeadLetter:
    group: str
    payload: bytes
    error: str
    attempts: int


class FakeEventBus:
    """In memory and at-least-once, like the real buses: one log of wire messages, a cursor per
    group, and every message run through the application's delivery policy."""

    def __init__(self) -> None:
        self.log: list[tuple[str, bytes]] = []  # (family, wire JSON) in publish order
        self.dead_letters: list[FakeDeadLetter] = []
        self.cursors: dict[str, int] = defaultdict(int)  # per group: the first unfinished entry
        # Deliveries per (group, entry) not yet finished, as XPENDING counts them.
        self.deliveries: dict[tuple[str, int], int] = defaultdict(int)

    @property
    def published(self) -> list[Event]:
        return [event_from_wire(json.loads(payload)) for _, payload in self.log]

    async def publish(self, events: Sequence[Event]) -> None:
        self.log.extend((e.family, json.dumps(event_to_wire(e)).encode()) for e in events)

    def consumer(
        self,
        *,
        group: str,
        families: Sequence[str],
        name: str,
        concurrency: int,
        delivery: DeliveryPolicy,
    ) -> FakeConsumer:
        return FakeConsumer(self, group=group, families=tuple(families), delivery=delivery)


class _FakeMessage:
    def __init__(self, bus: FakeEventBus, group: str, index: int) -> None:
        self._bus = bus
        self._group = group
        self._index = index
        self.message_id = str(index)
        self.payload = bus.log[index][1]
        bus.deliveries[group, index] += 1
        self.deliveries = bus.deliveries[group, index]

    async def ack(self) -> None:
        self._finish()

    async def dead_letter(self, error: BaseException, *, attempts: int) -> None:
        self._bus.dead_letters.append(
            FakeDeadLetter(self._group, self.payload, repr(error), attempts)
        )
        self._finish()

    def _finish(self) -> None:
        self._bus.deliveries.pop((self._group, self._index), None)
        self._bus.cursors[self._group] = self._index + 1


class FakeConsumer:
    """One member at a time per group, in publish order; a handler that escapes the policy
    (a crash) leaves its message unfinished, to be delivered again to the next member."""

    def __init__(
        self,
        bus: FakeEventBus,
        *,
        group: str,
        families: tuple[str, ...],
        delivery: DeliveryPolicy,
    ) -> None:
        self._bus = bus
        self._group = group
        self._families = families
        self._delivery = Delivery(delivery, group=group)

    async def run(
        self, handler: Handler, *, stop: asyncio.Event, on_give_up: GiveUp | None = None
    ) -> None:
        bus = self._bus
        while not stop.is_set():
            while bus.cursors[self._group] < len(bus.log):
                index = bus.cursors[self._group]
                if bus.log[index][0] not in self._families:
                    bus.cursors[self._group] = index + 1
                    continue
                message = _FakeMessage(bus, self._group, index)
                await self._delivery.deliver(message, handler, on_give_up)
            await asyncio.sleep(0.001)
