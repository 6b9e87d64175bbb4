"""Relays events from the PostgreSQL outbox to the bus (at-least-once)."""

from __future__ import annotations

import asyncio
import logging

from argus.application.ports import EventPublisher, Outbox
from argus.domain.errors import Unavailable

log = logging.getLogger(__name__)


class OutboxRelay:
    """Publishes committed events, then marks them; a crash in between re-publishes them."""

    def __init__(self, *, outbox: Outbox, publisher: EventPublisher, batch_size: int = 500) -> None:
        self._outbox = outbox
        self._publisher = publisher
        self._batch_size = batch_size

    async def relay_once(self) -> int:
        """Publish one batch of pending events; returns how many."""
        claimed = await self._outbox.claim(self._batch_size)
        if not claimed:
            return 0
        await self._publisher.publish([event for _, event in claimed])
        await self._outbox.mark_published([row_id for row_id, _ in claimed])
        return len(claimed)

    async def run(self, *, stop: asyncio.Event, idle_wait_s: float = 1.0) -> None:
        """Relay until `stop` is set, waking on new outbox rows."""
        while not stop.is_set():
            try:
                if await self.relay_once():
                    continue
                await self._outbox.wait_for_new(idle_wait_s)
            except Unavailable as exc:
                log.warning("outbox relay: %s; retrying", exc)
                await asyncio.sleep(idle_wait_s)
            except Exception:
                # Broad on purpose: if this loop ended, no event would leave the outbox again
                # until a restart. An unexpected error is logged with its traceback and the
                # claim is retried (nothing was marked, so nothing is lost).
                log.exception("outbox relay failed; retrying")
                await asyncio.sleep(idle_wait_s)
