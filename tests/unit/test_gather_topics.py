"""gather: sensor dropouts, rate degradations and recording gaps from topic timing."""

from __future__ import annotations

import pytest

from argus.domain.parsed_file import ParsedFile
from tests.unit.gather_support import RATES, batch, kinds, normal, ns, parsed, run, topic

pytestmark = pytest.mark.unit


def test_dropout_inside_a_file_is_found_with_its_time_and_file() -> None:
    lidar = topic(20, 40, 10, gap=(30, 35))
    result = run(*batch(parsed(0, 20), parsed(20, 40, normal(20, 40, lidar__points=lidar))))
    (dropout,) = [a for a in result.anomalies if a.kind == "sensor_dropout"]
    assert dropout.component == "lidar"
    assert (dropout.start_ns, dropout.end_ns) == (ns(30), ns(35))
    assert dropout.title == "/lidar/points stopped publishing for 5.0 s"
    assert dropout.evidence[0].file == "drive_1.mcap"
    assert "normal period 0.100 s" in dropout.evidence[0].detail


def test_dropout_across_a_file_boundary_is_found_from_last_and_first_messages() -> None:
    first = parsed(0, 20, normal(0, 20, lidar__points=topic(0, 18, 10)))
    second = parsed(20, 40, normal(20, 40, lidar__points=topic(23, 40, 10)))
    (dropout,) = [a for a in run(*batch(first, second)).anomalies if a.kind == "sensor_dropout"]
    assert (dropout.component, dropout.start_ns, dropout.end_ns) == ("lidar", ns(18), ns(23))
    assert "drive_0.mcap" in dropout.evidence[0].detail
    assert "drive_1.mcap" in dropout.evidence[0].detail


def test_a_topic_that_stops_for_good_is_a_dropout_until_the_batch_ends() -> None:
    first = parsed(0, 20)
    second = parsed(20, 40, {k: v for k, v in normal(20, 40).items() if k != "/imu/data"})
    (dropout,) = [a for a in run(*batch(first, second)).anomalies if a.kind == "sensor_dropout"]
    assert (dropout.component, dropout.start_ns, dropout.end_ns) == ("imu", ns(20), ns(40))


@pytest.mark.parametrize(
    ("case", "files"),
    [
        (
            "jitter of 3 periods",
            [parsed(0, 20, normal(0, 20, imu__data=topic(0, 20, 100, jitter=3)))],
        ),
        (
            "0.4 s gap is under the 0.5 s floor",
            [
                parsed(0, 20, normal(0, 20, imu__data=topic(0, 20, 100, gap=(5, 5.4)))),
            ],
        ),
        (
            "9 periods of a 1 Hz topic",
            [
                parsed(0, 30, normal(0, 30, diagnostics=topic(0, 30, 1, gap=(10, 19)))),
            ],
        ),
        ("normal file boundary", [parsed(0, 20), parsed(20.01, 40)]),
        (
            "event topic silent for long",
            [
                parsed(
                    0,
                    60,
                    {"/rosout": topic(0, 60, 1, gap=(5, 50), schema="rcl_interfaces/msg/Log")},
                ),
            ],
        ),
        (
            "too few messages to know the rate",
            [
                parsed(0, 60, {"/tf_static2": topic(0, 60, 0.1, gap=(1, 50))}),
            ],
        ),
    ],
)
def test_no_dropout_for_normal_timing(case: str, files: list[ParsedFile]) -> None:
    assert [a for a in run(*batch(*files)).anomalies if a.kind == "sensor_dropout"] == [], case


def test_time_covered_by_a_failed_file_is_not_a_dropout() -> None:
    result = run(*batch(parsed(0, 20), None, parsed(40, 60)))
    assert kinds(result) == [("parse_failure", "recorder")]
    hole = result.summary.timeline.uncovered
    assert [(h.start_ns, h.end_ns) for h in hole] == [(ns(20), ns(40))]


def test_a_file_at_a_fraction_of_the_normal_rate_is_a_rate_degradation() -> None:
    slow = normal(20, 40, gnss__fix=topic(20, 40, 3))
    result = run(*batch(parsed(0, 20), parsed(20, 40, slow), parsed(40, 60)))
    (degraded,) = [a for a in result.anomalies if a.kind == "rate_degradation"]
    assert degraded.component == "gnss"
    assert degraded.evidence[0].file == "drive_1.mcap"
    assert "3.0 Hz (normal 10.0 Hz)" in degraded.title


def test_silence_shared_by_most_topics_is_one_recording_gap_not_sensor_dropouts() -> None:
    stalled = {
        name: topic(0, 60, hz, gap=(30 - 0.5 / hz, 34 + 0.5 / hz))
        for name, hz in RATES.items()
        if hz > 1
    }
    stalled["/diagnostics"] = topic(0, 60, 1)
    result = run(*batch(parsed(0, 60, stalled)))
    (gap,) = result.anomalies
    assert (gap.kind, gap.component) == ("recording_gap", "recorder")
    assert gap.title == "3 of 4 periodic topics went silent together for 4.0 s"
    assert "/gnss/fix, /imu/data, /lidar/points" in gap.evidence[0].detail


def test_a_sensor_that_died_for_good_is_not_merged_into_a_short_stall() -> None:
    topics = {
        "/lidar/points": topic(0, 30, 10),  # dead from 30 s on
        "/imu/data": topic(0, 60, 100, gap=(30, 34)),
        "/gnss/fix": topic(0, 60, 10, gap=(30, 34)),
        "/vehicle/can": topic(0, 60, 50),
    }
    result = run(*batch(parsed(0, 60, topics)))
    assert sorted(kinds(result)) == [
        ("sensor_dropout", "gnss"),
        ("sensor_dropout", "imu"),
        ("sensor_dropout", "lidar"),
    ]
