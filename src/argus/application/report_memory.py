"""Finished reports kept in process, in front of Redis (docs/decisions/0030).

A final report is immutable but for engineers' feedback, so its serialised bytes, their ETag
and a gzip variant are computed once and served from here. Bounded by bytes (least recently
used out first). Feedback received by this process drops the entry at once; feedback received
by another process is seen here after at most `fresh_s` (an entry older than that is
re-read from Redis, where the feedback deleted it).
"""

from __future__ import annotations

import gzip
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

# Below this a gzip variant saves too little to be worth the bytes it takes.
GZIP_MIN_BYTES = 1024


@dataclass(frozen=True)
class StoredReport:
    """A finished report's bytes with its strong ETag and, when worth it, a gzip variant."""

    body: bytes
    etag: str
    gzip_body: bytes | None
    stored_at: float

    @classmethod
    def of(cls, body: bytes, stored_at: float) -> StoredReport:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        packed = gzip.compress(body, 6, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
        if packed is not None and len(packed) >= len(body):
            packed = None
        return cls(body=body, etag=etag, gzip_body=packed, stored_at=stored_at)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzip_body or b"")


class ReportMemory:
    """A bounded LRU of finished reports; `hits`/`misses` count lookups (for benches)."""

    def __init__(
        self,
        *,
        max_bytes: int,
        fresh_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_bytes = max_bytes
        self._fresh_s = fresh_s
        self._clock = clock
        self._entries: OrderedDict[str, StoredReport] = OrderedDict()
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, batch_id: str) -> StoredReport | None:
        entry = self._entries.get(batch_id)
        if entry is not None and self._clock() - entry.stored_at > self._fresh_s:
            self.discard(batch_id)
            entry = None
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(batch_id)
        self.hits += 1
        return entry

    def holds(self, batch_id: str) -> bool:
        """Whether `get` would answer from memory (counts nothing, moves nothing)."""
        entry = self._entries.get(batch_id)
        return entry is not None and self._clock() - entry.stored_at <= self._fresh_s

    def put(self, batch_id: str, body: bytes) -> StoredReport:
        """Keep `body` (unless it alone exceeds the bound); returns it with its ETag."""
        entry = StoredReport.of(body, self._clock())
        if entry.size > self._max_bytes:
            return entry
        self.discard(batch_id)
        self._entries[batch_id] = entry
        self.bytes += entry.size
        while self.bytes > self._max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.bytes -= evicted.size
        return entry

    def discard(self, batch_id: str) -> None:
        entry = self._entries.pop(batch_id, None)
        if entry is not None:
            self.bytes -= entry.size

    def __len__(self) -> int:
        return len(self._entries)
