"""gather: error bursts and error logs per node, their weight, and log templates."""

from __future__ import annotations

import pytest

from argus.domain.analysis import LogTemplate
from tests.unit.gather_support import batch, log, ns, parsed, run

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("times_s", "expected"),
    [
        ([10 + 0.2 * i for i in range(10)], ["error_burst"]),
        ([10, 11, 12, 13, 14], ["error_burst"]),  # exactly 5 within the 5 s window
        ([10, 11, 12, 13], ["error_logs"]),
        ([5 * i for i in range(12)], ["error_logs"]),  # one every 5 s: steady, not a burst
        ([1, 2, *[30 + 0.1 * i for i in range(8)]], ["error_burst", "error_logs"]),
    ],
)
def test_dense_errors_from_one_node_are_a_burst_and_spread_out_errors_are_not(
    times_s: list[float], expected: list[str]
) -> None:
    logs = [log(t) for t in times_s]
    result = run(*batch(parsed(0, 60, logs=logs)))
    assert sorted(a.kind for a in result.anomalies) == sorted(expected)
    assert {a.component for a in result.anomalies} == {"planner"}


def test_bursts_are_counted_per_node() -> None:
    logs = [log(10 + i, node=f"node_{i % 3}") for i in range(9)]  # 9 in 9 s, 3 per node
    result = run(*batch(parsed(0, 60, logs=logs)))
    assert {a.kind for a in result.anomalies} == {"error_logs"}


def test_fatal_logs_weigh_more_than_errors() -> None:
    burst = [log(10 + 0.1 * i) for i in range(10)]
    fatal = [log(10 + 0.1 * i, level="FATAL" if i == 9 else "ERROR") for i in range(10)]
    plain_score = run(*batch(parsed(0, 60, logs=burst))).anomalies[0].score
    (anomaly,) = run(*batch(parsed(0, 60, logs=fatal))).anomalies
    assert anomaly.score > plain_score
    assert "9 ERROR + 1 FATAL" in anomaly.title


def test_messages_that_differ_only_in_numbers_share_a_template() -> None:
    logs = [log(i, node="lidar_driver", message=f"no packets for {i}.5 s") for i in range(1, 4)]
    logs.append(log(5, node="planner", message="goal 0x1f unreachable"))
    templates = run(*batch(parsed(0, 60, logs=logs))).summary.log_templates
    assert templates[0] == LogTemplate(
        template="no packets for <NUM> s",
        count=3,
        level="ERROR",
        node="lidar_driver",
        example="no packets for 1.5 s",
        first_ns=ns(1),
    )
    assert templates[1].template == "goal <HEX> unreachable"
