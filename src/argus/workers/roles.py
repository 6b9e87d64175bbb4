"""Consumers of a role: which group reads which event families with which handler, and the
wrappers every handler shares (type filter, once per event, fail the batch on give-up).

Which roles exist and what each consumes is the catalogue in `argus/entrypoints/roles.py`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from argus.application.ports import BatchRepository, GiveUp, Handler
from argus.domain.errors import NotFound
from argus.domain.events import Event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Role:
    """One consumer: a group, the families it reads and what it does with each event."""

    group: str
    families: tuple[str, ...]
    handle: Handler
    concurrency: int
    give_up: GiveUp | None = None


def only(types: tuple[type[Event], ...], handler: Handler) -> Handler:
    """Skip events of other types before any bookkeeping is done for them."""

    async def filtered(event: Event) -> None:
        if isinstance(event, types):
            await handler(event)

    return filtered


def once_per_event(batches: BatchRepository, consumer: str, handler: Handler) -> Handler:
    """Skip events this consumer already handled (handlers are idempotent anyway; this
    saves repeating expensive work such as a diagnosis after a redelivery)."""

    async def deduplicated(event: Event) -> None:
        if await batches.was_processed(consumer, event.event_id):
            return
        await handler(event)
        await batches.mark_processed(consumer, event.event_id)

    return deduplicated


def fail_batch_on_give_up(batches: BatchRepository, stage: str) -> GiveUp:
    """A stage that keeps failing ends its batch as `failed` instead of leaving it stuck."""

    async def give_up(event: Event, error: BaseException) -> None:
        reason = f"{stage} kept failing: {error!r}"[:500]
        try:
            await batches.mutate(event.batch_id, lambda batch: batch.fail(reason))
        except NotFound:
            log.warning("gave up on %s for unknown batch %s", type(event).__name__, event.batch_id)

    return give_up
