"""Live progress on a Redis Stream per batch; entry ids double as SSE event ids."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from argus.application.ports import ProgressEntry
from argus.constants import progress_seen_key, progress_stream_key
from argus.infrastructure.redis._errors import translated

# Append once per domain event id: redelivered bus messages must not repeat progress.
_APPEND_ONCE = """
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return false end
redis.call('EXPIRE', KEYS[2], ARGV[3])
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'data', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return id
"""


class RedisProgressChannel:
    """Replayable per-batch progress; clients resume with the last entry id they saw."""

    def __init__(self, redis: Redis, *, ttl_s: int, max_entries: int = 100_000) -> None:
        self._redis = redis
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._append = redis.register_script(_APPEND_ONCE)

    async def append(self, batch_id: str, *, event_id: str, data: dict[str, Any]) -> bool:
        async with translated():
            added = await self._append(
                keys=[progress_stream_key(batch_id), progress_seen_key(batch_id)],
                args=[event_id, json.dumps(data), self._ttl_s, self._max_entries],
            )
            return added is not None

    async def read(self, batch_id: str, *, after: str | None, block_ms: int) -> list[ProgressEntry]:
        async with translated():
            response: Any = await self._redis.xread(
                {progress_stream_key(batch_id): after or "0-0"}, count=500, block=block_ms or None
            )
            entries: list[ProgressEntry] = []
            for _stream, messages in response or []:
                for entry_id, fields in messages:
                    entries.append(
                        ProgressEntry(entry_id=_text(entry_id), data=json.loads(fields[b"data"]))
                    )
            return entries

    async def last_id(self, batch_id: str) -> str | None:
        async with translated():
            newest: Any = await self._redis.xrevrange(progress_stream_key(batch_id), count=1)
            return _text(newest[0][0]) if newest else None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
