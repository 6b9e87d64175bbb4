"""The role catalogue: every role, what it consumes, which loops it runs, which routers it serves.

The embedded mode runs all of them in one process (parsers as supervised worker processes);
the distributed mode runs one per process. Both go through `entrypoints/runner.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from argus import bootstrap, constants
from argus.application.ports import GiveUp, Handler
from argus.bootstrap import Adapters, Messaging
from argus.config import Settings
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
from argus.workers.roles import Role, fail_batch_on_give_up, once_per_event, only


class RoleName(StrEnum):
    INGESTOR = "ingestor"
    QUERY = "query"
    ORCHESTRATOR = "orchestrator"
    PARSER = "parser"
    AGGREGATOR = "aggregator"
    AGENT = "agent"


class Loop(StrEnum):
    """Background loops a role runs beside its consumers."""

    OUTBOX_RELAY = "outbox-relay"
    JANITOR = "janitor"
    HEARTBEAT = "heartbeat"


class Router(StrEnum):
    """HTTP routers (`interfaces/http/app.create_app`): ingest and query."""

    INGEST = "ingest"
    QUERY = "query"


@dataclass(frozen=True)
class Connected:
    """What a process connected for its roles: always messaging, PostgreSQL when needed."""

    messaging: Messaging
    adapters: Adapters | None

    @property
    def settings(self) -> Settings:
        return self.messaging.settings

    def db(self) -> Adapters:
        if self.adapters is None:
            raise RuntimeError("this role needs PostgreSQL, which this process did not connect")
        return self.adapters

    async def close(self) -> None:
        await (self.adapters or self.messaging).close()


Bind = Callable[[Connected], tuple[Handler, GiveUp | None]]


@dataclass(frozen=True)
class ConsumerSpec:
    """A consumer group: the families it reads, the event types it acts on (None: all of
    them), its concurrency setting and how its handler is built."""

    group: str
    families: tuple[str, ...]
    events: tuple[type[Event], ...] | None
    concurrency: Callable[[Settings], int]
    bind: Bind

    def role(self, connected: Connected) -> Role:
        """The consumer bound to this process's adapters."""
        handle, give_up = self.bind(connected)
        if self.events is not None:
            handle = only(self.events, handle)
        return Role(
            group=self.group,
            families=self.families,
            handle=handle,
            concurrency=self.concurrency(connected.settings),
            give_up=give_up,
        )


def _stage(group: str, stage: str, handler: Callable[[Adapters], Handler]) -> Bind:
    """A stage of the pipeline: once per event, and a stage that gives up fails its batch."""

    def bind(connected: Connected) -> tuple[Handler, GiveUp | None]:
        a = connected.db()
        handle = once_per_event(a.batches, group, handler(a))
        return handle, fail_batch_on_give_up(a.batches, stage)

    return bind


def _parse(connected: Connected) -> tuple[Handler, GiveUp | None]:
    handler = bootstrap.parse_file_handler(connected.messaging)
    return handler.handle, handler.give_up


def _progress(connected: Connected) -> tuple[Handler, GiveUp | None]:
    return bootstrap.progress_projector(connected.db()).handle, None


ORCHESTRATION = ConsumerSpec(
    group=constants.GROUP_ORCHESTRATOR,
    families=(Family.BATCH, Family.PARSE_RESULTS),
    events=(BatchUploaded, FileParsed, FileParseFailed, BatchGathered, DiagnosisCompleted),
    concurrency=lambda s: s.bus.consumer_concurrency,
    bind=_stage(
        constants.GROUP_ORCHESTRATOR,
        "orchestration",
        lambda a: bootstrap.orchestrator(a).handle,
    ),
)
PARSING = ConsumerSpec(
    group=constants.GROUP_PARSERS,
    families=(Family.SCATTER,),
    events=None,
    concurrency=lambda s: s.parser.concurrency,
    bind=_parse,
)
GATHERING = ConsumerSpec(
    group=constants.GROUP_AGGREGATORS,
    families=(Family.BATCH,),
    events=(AllFilesParsed,),
    concurrency=lambda s: s.gather.aggregator_concurrency,
    bind=_stage(
        constants.GROUP_AGGREGATORS, "gathering", lambda a: bootstrap.gather_handler(a).handle
    ),
)
DIAGNOSIS = ConsumerSpec(
    group=constants.GROUP_AGENTS,
    families=(Family.BATCH,),
    events=(DiagnosisRequested,),
    concurrency=lambda s: s.gather.agent_concurrency,
    bind=_stage(
        constants.GROUP_AGENTS, "diagnosis", lambda a: bootstrap.diagnose_handler(a).handle
    ),
)
PROGRESS = ConsumerSpec(
    group=constants.GROUP_PROGRESS,
    families=(Family.BATCH, Family.PARSE_RESULTS),
    events=None,
    # One at a time, so a batch's progress entries keep the order of its stream.
    concurrency=lambda s: 1,
    bind=_progress,
)


@dataclass(frozen=True)
class RoleSpec:
    """One role: consumers, background loops, HTTP routers and what it connects."""

    name: RoleName
    consumers: tuple[ConsumerSpec, ...] = ()
    loops: frozenset[Loop] = frozenset()
    routers: frozenset[Router] = frozenset()
    # Every role but the parser reads or writes batches in PostgreSQL.
    needs_postgres: bool = True
    # Roles that may start first on a fresh database apply the migrations.
    migrates: bool = False


CATALOGUE: Mapping[RoleName, RoleSpec] = {
    spec.name: spec
    for spec in (
        RoleSpec(
            RoleName.INGESTOR,
            loops=frozenset({Loop.OUTBOX_RELAY}),
            routers=frozenset({Router.INGEST}),
            migrates=True,
        ),
        RoleSpec(RoleName.QUERY, consumers=(PROGRESS,), routers=frozenset({Router.QUERY})),
        RoleSpec(
            RoleName.ORCHESTRATOR,
            consumers=(ORCHESTRATION,),
            # Its state changes go through the outbox too, and any number of orchestrators
            # may sweep abandoned uploads at once.
            loops=frozenset({Loop.OUTBOX_RELAY, Loop.JANITOR, Loop.HEARTBEAT}),
            migrates=True,
        ),
        RoleSpec(
            RoleName.PARSER,
            consumers=(PARSING,),
            loops=frozenset({Loop.HEARTBEAT}),
            needs_postgres=False,
        ),
        RoleSpec(RoleName.AGGREGATOR, consumers=(GATHERING,), loops=frozenset({Loop.HEARTBEAT})),
        RoleSpec(RoleName.AGENT, consumers=(DIAGNOSIS,), loops=frozenset({Loop.HEARTBEAT})),
    )
}

# Parsing is CPU-bound: the embedded mode runs it in worker processes it supervises, and
# every other role in its own process.
EMBEDDED_IN_PROCESS = frozenset(set(RoleName) - {RoleName.PARSER})
