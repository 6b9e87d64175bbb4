"""Roles: which consumer group reads which event families with which handler."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from argus import bootstrap, constants
from argus.application.ports import BatchRepository, GiveUp, Handler
from argus.domain.errors import NotFound
from argus.domain.events import (
    AllFilesParsed,
    BatchGathered,
    BatchUploaded,
    DiagnosisCompleted,
    DiagnosisRequested,
    Event,
    Family,
    FileParsed,
    FileParseFailed,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Role:
    """A consumer group, the families it reads and what it does with each event."""

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


def orchestrator(a: bootstrap.Adapters) -> Role:
    types = (BatchUploaded, FileParsed, FileParseFailed, BatchGathered, DiagnosisCompleted)
    handler = bootstrap.orchestrator(a).handle
    return Role(
        group=constants.GROUP_ORCHESTRATOR,
        families=(Family.BATCH, Family.PARSE_RESULTS),
        handle=only(types, once_per_event(a.batches, constants.GROUP_ORCHESTRATOR, handler)),
        concurrency=a.settings.bus.consumer_concurrency,
        give_up=fail_batch_on_give_up(a.batches, "orchestration"),
    )


def aggregator(a: bootstrap.Adapters) -> Role:
    handler = bootstrap.gather_handler(a).handle
    return Role(
        group=constants.GROUP_AGGREGATORS,
        families=(Family.BATCH,),
        handle=only(
            (AllFilesParsed,), once_per_event(a.batches, constants.GROUP_AGGREGATORS, handler)
        ),
        concurrency=2,
        give_up=fail_batch_on_give_up(a.batches, "gathering"),
    )


def agent(a: bootstrap.Adapters) -> Role:
    handler = bootstrap.diagnose_handler(a).handle
    return Role(
        group=constants.GROUP_AGENTS,
        families=(Family.BATCH,),
        handle=only(
            (DiagnosisRequested,), once_per_event(a.batches, constants.GROUP_AGENTS, handler)
        ),
        concurrency=4,
        give_up=fail_batch_on_give_up(a.batches, "diagnosis"),
    )


def progress(a: bootstrap.Adapters) -> Role:
    # One at a time, so a batch's progress entries keep the order of its stream.
    return Role(
        group=constants.GROUP_PROGRESS,
        families=(Family.BATCH, Family.PARSE_RESULTS),
        handle=bootstrap.progress_projector(a).handle,
        concurrency=1,
    )
