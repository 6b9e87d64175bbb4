"""The role catalogue: every event the pipeline publishes reaches the consumers that need it,
the embedded mode runs every role, and each role connects only what it uses."""

from __future__ import annotations

import pytest

from argus import constants
from argus.bootstrap import Messaging
from argus.config import Settings
from argus.domain.events import (
    AllFilesParsed,
    BatchGathered,
    BatchStatusChanged,
    BatchUploaded,
    DiagnosisCompleted,
    DiagnosisRequested,
    Event,
    Family,
    FileParsed,
    FileParseFailed,
    FileScattered,
)
from argus.entrypoints.roles import (
    CATALOGUE,
    EMBEDDED_IN_PROCESS,
    Connected,
    ConsumerSpec,
    Loop,
    RoleName,
    Router,
)
from tests.fakes.messaging import FakeBlobStore, FakeEventBus

pytestmark = pytest.mark.unit

CONSUMERS = [c for spec in CATALOGUE.values() for c in spec.consumers]


def _acts_on(consumer: ConsumerSpec, event: type[Event]) -> bool:
    reads = event.family in consumer.families
    return reads and (consumer.events is None or issubclass(event, consumer.events))


# Event → the consumer groups the pipeline needs to act on it (docs/architecture/overview.md).
PIPELINE = [
    (BatchUploaded, {constants.GROUP_ORCHESTRATOR, constants.GROUP_PROGRESS}),
    (FileScattered, {constants.GROUP_PARSERS}),
    (FileParsed, {constants.GROUP_ORCHESTRATOR, constants.GROUP_PROGRESS}),
    (FileParseFailed, {constants.GROUP_ORCHESTRATOR, constants.GROUP_PROGRESS}),
    (AllFilesParsed, {constants.GROUP_AGGREGATORS, constants.GROUP_PROGRESS}),
    (BatchGathered, {constants.GROUP_ORCHESTRATOR}),
    (DiagnosisRequested, {constants.GROUP_AGENTS}),
    (DiagnosisCompleted, {constants.GROUP_ORCHESTRATOR}),
    (BatchStatusChanged, {constants.GROUP_PROGRESS}),
]


@pytest.mark.parametrize(("event", "groups"), PIPELINE, ids=[e.__name__ for e, _ in PIPELINE])
def test_each_event_reaches_the_consumers_the_pipeline_needs(
    event: type[Event], groups: set[str]
) -> None:
    acting = {c.group for c in CONSUMERS if _acts_on(c, event)}
    assert groups <= acting


def test_the_agent_waits_for_the_orchestrator_not_for_the_gather_result() -> None:
    """The agent diagnosing on `BatchGathered` raced the orchestrator's `diagnosing` move."""
    agents = [c for c in CONSUMERS if c.group == constants.GROUP_AGENTS]
    assert [_acts_on(c, BatchGathered) for c in agents] == [False]
    assert [_acts_on(c, DiagnosisRequested) for c in agents] == [True]


def test_every_event_family_has_a_consumer() -> None:
    consumed = {family for c in CONSUMERS for family in c.families}
    assert consumed == set(Family.ALL)


def test_each_consumer_group_belongs_to_one_role() -> None:
    groups = [c.group for c in CONSUMERS]
    assert len(groups) == len(set(groups))


def test_the_embedded_mode_runs_every_role_and_parsers_as_processes() -> None:
    assert EMBEDDED_IN_PROCESS | {RoleName.PARSER} == set(RoleName)
    in_process = [CATALOGUE[name] for name in EMBEDDED_IN_PROCESS]
    assert {r for spec in in_process for r in spec.routers} == set(Router)
    loops = {loop for spec in in_process for loop in spec.loops}
    assert {Loop.OUTBOX_RELAY, Loop.JANITOR} <= loops


def test_http_roles_serve_their_routers_and_workers_beat_their_heart() -> None:
    assert CATALOGUE[RoleName.INGESTOR].routers == {Router.INGEST}
    assert CATALOGUE[RoleName.QUERY].routers == {Router.QUERY}
    for name in (RoleName.ORCHESTRATOR, RoleName.PARSER, RoleName.AGGREGATOR, RoleName.AGENT):
        assert not CATALOGUE[name].routers
        assert Loop.HEARTBEAT in CATALOGUE[name].loops


def test_only_the_parser_works_without_postgresql() -> None:
    without = {name for name, spec in CATALOGUE.items() if not spec.needs_postgres}
    assert without == {RoleName.PARSER}
    migrating = {name for name, spec in CATALOGUE.items() if spec.migrates}
    assert migrating == {RoleName.INGESTOR, RoleName.ORCHESTRATOR}


def test_concurrency_of_each_consumer_comes_from_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    defaults = Settings()
    by_group = {c.group: c.concurrency(defaults) for c in CONSUMERS}
    assert by_group == {
        constants.GROUP_ORCHESTRATOR: 8,
        constants.GROUP_PARSERS: 1,
        constants.GROUP_AGGREGATORS: 2,
        constants.GROUP_AGENTS: 4,
        constants.GROUP_PROGRESS: 1,
    }
    monkeypatch.setenv("ARGUS_GATHER_AGGREGATOR_CONCURRENCY", "3")
    monkeypatch.setenv("ARGUS_GATHER_AGENT_CONCURRENCY", "5")
    monkeypatch.setenv("ARGUS_PARSER_CONCURRENCY", "2")
    tuned = Settings()
    assert {c.group: c.concurrency(tuned) for c in CONSUMERS} == {
        **by_group,
        constants.GROUP_AGGREGATORS: 3,
        constants.GROUP_AGENTS: 5,
        constants.GROUP_PARSERS: 2,
    }


def _messaging_only(settings: Settings) -> Connected:
    messaging = Messaging(settings=settings, redis=None, bus=FakeEventBus(), blobs=FakeBlobStore())
    return Connected(messaging=messaging, adapters=None)


def test_a_parser_binds_to_messaging_alone() -> None:
    settings = Settings()
    (parsing,) = CATALOGUE[RoleName.PARSER].consumers
    role = parsing.role(_messaging_only(settings))
    assert role.group == constants.GROUP_PARSERS
    assert role.families == (Family.SCATTER,)
    assert role.concurrency == settings.parser.concurrency
    assert role.give_up is not None


def test_a_role_that_needs_postgresql_refuses_a_messaging_only_process() -> None:
    (orchestration,) = CATALOGUE[RoleName.ORCHESTRATOR].consumers
    with pytest.raises(RuntimeError, match="needs PostgreSQL"):
        orchestration.role(_messaging_only(Settings()))
