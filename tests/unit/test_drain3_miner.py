"""The TemplateMiner contract, run against drain3 and the in-test fake alike."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from argus.domain.analysis import FileResult, TemplateMiner, gather
from argus.domain.parsed_file import LogEvent, ParsedFile
from argus.infrastructure.templates import Drain3TemplateMiner
from tests.fakes.templates import FakeTemplateMiner

pytestmark = pytest.mark.unit

MINERS: dict[str, Callable[[], TemplateMiner]] = {
    "drain3": Drain3TemplateMiner,
    "fake": FakeTemplateMiner,
}


@pytest.fixture(params=sorted(MINERS))
def miner(request: pytest.FixtureRequest) -> TemplateMiner:
    return MINERS[request.param]()


@pytest.mark.parametrize(
    "messages",
    [
        ["no packets received from sensor for 2.0 s", "no packets received from sensor for 17 s"],
        ["checksum mismatch 0x1f2e in frame 12", "checksum mismatch 0xdead in frame 9031"],
        ["cannot reach 192.168.1.201:2368", "cannot reach 10.0.0.7:2368"],
        [
            "trajectory infeasible: 3 obstacles at -1.5 m",
            "trajectory infeasible: 12 obstacles at 4 m",
        ],
    ],
)
def test_messages_that_differ_only_in_numbers_share_one_template(
    miner: TemplateMiner, messages: list[str]
) -> None:
    ids = {miner.add(m) for m in messages}
    assert len(ids) == 1
    (template,) = miner.templates()
    assert template.count == len(messages)
    assert template.template_id in ids
    assert not any(ch.isdigit() for ch in template.template)


def test_different_messages_get_different_templates(miner: TemplateMiner) -> None:
    first = miner.add("no packets received from sensor for 2.0 s")
    second = miner.add("localization diverged, resetting filter")
    assert first != second
    assert len(miner.templates()) == 2


def test_templates_are_most_frequent_first_with_exact_counts(miner: TemplateMiner) -> None:
    for i in range(3):
        miner.add(f"planner cycle overrun by {i} ms")
    miner.add("gnss fix lost")
    counts = [(t.count, t.template) for t in miner.templates()]
    assert counts[0][0] == 3
    assert counts[1] == (1, "gnss fix lost")


def test_the_same_message_always_maps_to_the_same_id(miner: TemplateMiner) -> None:
    assert miner.add("camera frame dropped") == miner.add("camera frame dropped")


def test_gather_reports_drain3_templates() -> None:
    events = [
        LogEvent(
            t_ns=i * 10**9, level="ERROR", node="planner", message=f"cost {i} too high", topic=""
        )
        for i in range(1, 4)
    ]
    parsed = ParsedFile(engine="test", start_ns=0, end_ns=10 * 10**9, log_events=events)
    result = gather([FileResult("a.mcap", parsed)], template_miner=Drain3TemplateMiner())
    (template,) = result.summary.log_templates
    assert (template.template, template.count) == ("cost <NUM> too high", 3)
