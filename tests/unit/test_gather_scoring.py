"""gather: scoring, Top-K, determinism and the batch summary."""

from __future__ import annotations

import json
import random

import pytest

from argus.domain.analysis import FileResult
from argus.domain.errors import InvalidInput
from tests.unit.gather_support import batch, diag, kinds, log, normal, ns, parsed, run, topic

pytestmark = pytest.mark.unit


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
