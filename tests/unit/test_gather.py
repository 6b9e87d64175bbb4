"""gather: batch summary, dropout / burst / diagnostics / parse-failure rules, scoring, Top-K."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

import pytest

from argus.domain.analysis import (
    FileErrors,
    FileResult,
    GatherResult,
    LogTemplate,
    ParseErrorLine,
    gather,
)
from argus.domain.errors import InvalidInput
from argus.domain.parsed_file import (
    DiagnosticEvent,
    Gap,
    LogEvent,
    ParsedFile,
    ParseError,
    TopicStats,
)
from argus.infrastructure.templates import Drain3TemplateMiner

pytestmark = pytest.mark.unit

S = 1_000_000_000
T0 = 1_700_000_000 * S
RATES = {"/lidar/points": 10.0, "/imu/data": 100.0, "/gnss/fix": 10.0, "/diagnostics": 1.0}


def ns(t_s: float) -> int:
    """Batch-relative seconds as absolute nanoseconds."""
    return T0 + round(t_s * S)


def topic(
    first_s: float,
    last_s: float,
    hz: float,
    *,
    gap: tuple[float, float] | None = None,
    jitter: float = 1.0,
    schema: str = "sensor_msgs/msg/PointCloud2",
) -> TopicStats:
    """A topic at `hz`; its largest gap is `gap`, or `jitter` × the period."""
    count = round((last_s - first_s) * hz) + 1
    if gap is None:
        max_gap = Gap(ns(first_s), ns(first_s + jitter / hz))
    else:
        count -= round((gap[1] - gap[0]) * hz) - 1
        max_gap = Gap(ns(gap[0]), ns(gap[1]))
    return TopicStats(
        count=count,
        bytes=count * 100,
        schema=schema,
        first_ns=ns(first_s),
        last_ns=ns(last_s),
        max_gap=max_gap,
    )


def parsed(
    start_s: float,
    end_s: float,
    topics: dict[str, TopicStats] | None = None,
    *,
    logs: Sequence[LogEvent] = (),
    diags: Sequence[DiagnosticEvent] = (),
    errors: Sequence[ParseError] = (),
    complete: bool = True,
) -> ParsedFile:
    """A file from `start_s` to `end_s`; by default every topic of RATES publishes normally."""
    if topics is None:
        topics = {name: topic(start_s, end_s, hz) for name, hz in RATES.items()}
    return ParsedFile(
        engine="test",
        complete=complete,
        start_ns=ns(start_s),
        end_ns=ns(end_s),
        message_count=sum(t.count for t in topics.values()),
        topics=topics,
        log_events=list(logs),
        diagnostic_events=list(diags),
        errors=list(errors),
    )


def normal(start_s: float, end_s: float, **changed: TopicStats) -> dict[str, TopicStats]:
    """Every topic of RATES publishing normally, except those given."""
    topics = {name: topic(start_s, end_s, hz) for name, hz in RATES.items()}
    topics.update({"/" + name.replace("__", "/"): stats for name, stats in changed.items()})
    return topics


def log(
    t_s: float, node: str = "planner", message: str = "plan failed", level: str = "ERROR"
) -> LogEvent:
    return LogEvent(t_ns=ns(t_s), level=level, node=node, message=message, topic="/rosout")


def diag(
    t_s: float, name: str, level: str = "ERROR", hw: str = "", msg: str = "fault"
) -> DiagnosticEvent:
    return DiagnosticEvent(t_ns=ns(t_s), name=name, level=level, message=msg, hardware_id=hw)


def run(*files: FileResult, top_k: int = 10) -> GatherResult:
    return gather(files, template_miner=Drain3TemplateMiner(), top_k=top_k)


def batch(*files: ParsedFile | None) -> list[FileResult]:
    return [
        FileResult(f"drive_{i}.mcap", p, None if p is not None else "bad magic")
        for i, p in enumerate(files)
    ]


def kinds(result: GatherResult) -> list[tuple[str, str]]:
    return [(a.kind, a.component) for a in result.anomalies]


# --- sensor dropouts ------------------------------------------------------------------------


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


# --- logs -----------------------------------------------------------------------------------


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


# --- diagnostics and files ------------------------------------------------------------------


def test_diagnostics_errors_are_grouped_per_component() -> None:
    diags = [diag(10 + i, "gnss: receiver", hw="gnss_main", msg="no fix") for i in range(30)]
    diags += [diag(12, "gnss: antenna", level="STALE"), diag(5, "camera: front", level="WARN")]
    result = run(*batch(parsed(0, 60, diags=diags)))
    (anomaly,) = result.anomalies
    assert (anomaly.kind, anomaly.component) == ("diagnostic_error", "gnss")
    assert (anomaly.start_ns, anomaly.end_ns) == (ns(10), ns(39))
    assert "ERROR/STALE 31×" in anomaly.title
    gnss = result.summary.diagnostics["gnss"]
    assert gnss.levels == {"ERROR": 30, "STALE": 1}
    assert gnss.statuses == ("gnss: antenna", "gnss: receiver")
    assert result.summary.diagnostics["camera"].worst_level == "WARN"


def test_failed_and_partly_read_files_are_parse_failures() -> None:
    partial = parsed(20, 30, errors=[ParseError("truncated", "chunk ends early", 4096)])
    partial.complete = False
    result = run(*batch(parsed(0, 20), None, partial))
    failures = [a for a in result.anomalies if a.kind == "parse_failure"]
    assert [a.title for a in failures] == [
        "drive_1.mcap could not be parsed: bad magic",
        "drive_2.mcap was read only partly: chunk ends early",
    ]
    assert {a.component for a in failures} == {"recorder"}
    assert result.summary.parse_errors["drive_2.mcap"].errors == (
        ParseErrorLine(kind="truncated", message="chunk ends early", offset=4096),
    )
    assert result.summary.parse_errors["drive_1.mcap"] == FileErrors(
        failed=True, reason="bad magic", errors=()
    )
    assert (result.summary.totals.failed, result.summary.totals.partial) == (1, 1)


# --- scoring, Top-K, summary ----------------------------------------------------------------


def test_anomalies_that_agree_on_a_component_and_time_are_boosted() -> None:
    lidar = normal(0, 60, lidar__points=topic(0, 60, 10, gap=(30, 35)))
    alone = run(*batch(parsed(0, 60, lidar))).anomalies[0]
    diags = [diag(31 + i, "lidar: front_lidar", hw="lidar_front") for i in range(4)]
    together = run(*batch(parsed(0, 60, lidar, diags=diags)))
    assert kinds(together) == [("sensor_dropout", "lidar"), ("diagnostic_error", "lidar")]
    assert together.anomalies[0].score == pytest.approx(alone.score * 1.5)
    assert together.summary.scoring[0].agreeing_channels == 1


@pytest.mark.parametrize("top_k", [0, 1, 3, 10])
def test_top_k_is_sorted_by_score_and_capped(top_k: int) -> None:
    topics = {f"/sensor{i}/data": topic(0, 60, 10, gap=(10, 11.5 + 2 * i)) for i in range(6)}
    result = run(*batch(parsed(0, 60, topics)), top_k=top_k)
    assert len(result.anomalies) == min(top_k, 6)
    scores = [a.score for a in result.anomalies]
    assert scores == sorted(scores, reverse=True)
    assert [a.component for a in result.anomalies] == [f"sensor{i}" for i in range(5, -1, -1)][
        :top_k
    ]
    assert result.summary.anomaly_counts == {"sensor_dropout": 6}


def test_a_negative_top_k_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="top_k"):
        run(*batch(parsed(0, 10)), top_k=-1)


def _noisy_batch() -> list[FileResult]:
    logs = [log(10 + 0.1 * i, message=f"plan {i} failed") for i in range(10)] + [log(50, "x")]
    diags = [diag(31, "lidar: front_lidar"), diag(33, "imu: main", level="STALE")]
    lidar = topic(20, 40, 10, gap=(30, 35))
    return batch(
        parsed(0, 20, logs=logs),
        parsed(20, 40, normal(20, 40, lidar__points=lidar), diags=diags),
        None,
        parsed(60, 80),
    )


def test_same_input_gives_the_same_output_whatever_the_file_order() -> None:
    files = _noisy_batch()
    first = run(*files)
    shuffled = list(files)
    random.Random(7).shuffle(shuffled)
    for again in (run(*files), run(*shuffled)):
        assert json.dumps(again.summary.to_dict()) == json.dumps(first.summary.to_dict())
        assert again.anomalies == first.anomalies


def test_summary_is_json_and_has_the_documented_sections() -> None:
    result = run(*_noisy_batch())
    summary = json.loads(json.dumps(result.summary.to_dict()))
    assert list(summary) == [
        "summary_version",
        "timeline",
        "totals",
        "files",
        "topics",
        "log_levels",
        "log_templates",
        "diagnostics",
        "parse_errors",
        "anomaly_counts",
        "scoring",
    ]
    assert summary["timeline"]["start_ns"] == ns(0)
    assert summary["timeline"]["duration_s"] == 80.0
    assert summary["totals"]["files"] == 4
    assert [f["name"] for f in summary["files"]] == [f"drive_{i}.mcap" for i in range(4)]
    lidar = summary["topics"]["/lidar/points"]
    assert lidar["largest_gap"]["file"] == "drive_1.mcap"
    assert lidar["largest_gap"]["duration_s"] == 5.0
    assert lidar["normal_period_s"] == 0.1
    assert all(len(e["detail"]) <= 160 for a in result.anomalies for e in a.to_dict()["evidence"])


def test_an_empty_batch_gathers_to_nothing() -> None:
    result = run()
    assert result.anomalies == []
    assert result.summary.timeline.start_ns is None
    assert result.summary.totals.files == 0


def test_files_are_listed_in_natural_order_and_log_levels_are_summed() -> None:
    first, second = parsed(0, 10), parsed(10, 20)
    first.log_levels.update(INFO=40, WARN=3, ERROR=1)
    second.log_levels.update(INFO=10, FATAL=1)
    names = ["drive_10.mcap", "drive_2.mcap", "drive_1.mcap"]
    files = [FileResult(names[0], second), FileResult(names[1], first), FileResult(names[2], None)]
    summary = run(*files).summary
    assert [f.name for f in summary.files] == [
        "drive_1.mcap",
        "drive_2.mcap",
        "drive_10.mcap",
    ]
    assert [f.status for f in summary.files] == ["failed", "parsed", "parsed"]
    assert summary.log_levels == {"DEBUG": 0, "INFO": 50, "WARN": 3, "ERROR": 1, "FATAL": 1}
