"""`argus eval` scoring: hand-made ground truths and reports → the metrics, n/a included."""

from __future__ import annotations

from typing import Any

import pytest

from argus.domain.analysis import Anomaly, gather
from argus.domain.analysis.evidence import build_evidence
from argus.evaluation import (
    BatchRow,
    EvalRun,
    Ratio,
    ReportFacts,
    aggregate,
    batch_row,
    markdown,
    parse_scenarios,
    parse_seeds,
    score_batch,
)
from argus.loggen.scenarios import ChainStep, GroundTruth, RootCause
from tests.fakes.analysis import sample_files
from tests.fakes.templates import FakeTemplateMiner

pytestmark = pytest.mark.unit

LIDAR = RootCause(
    component="lidar",
    severity="high",
    label="lidar dropout",
    chain=(
        ChainStep("lidar", "lidar data lost", 10.0, 15.0, ("/lidar/points",), (), (), "silent"),
        ChainStep("localization", "localization without lidar", 10.5, 15.0),
    ),
)
POWER = RootCause(
    component="power",
    severity="critical",
    label="brown-out",
    chain=(
        ChainStep("power", "PDU under-voltage", 5.0, 7.0),
        ChainStep("lidar", "lidar data lost", 5.3, 9.0),
        ChainStep("camera", "camera data lost", 5.3, 9.0),
        ChainStep("perception", "perception starved", 6.0, 9.0),
    ),
)
PLANNER = RootCause(
    component="planner",
    severity="medium",
    label="planner crash",
    chain=(ChainStep("planner", "planner FATAL", 25.0, 27.0),),
)


def truth(*causes: RootCause, scenario: str = "s") -> GroundTruth:
    return GroundTruth(
        scenario=scenario, seed=1, duration_s=40.0, files=("a.mcap",), root_causes=causes
    )


def anomaly(kind: str, component: str, start_s: float = 10.0) -> dict[str, Any]:
    return {
        "kind": kind,
        "component": component,
        "score": 1.0,
        "title": f"{component} {kind}",
        "start_ns": int(start_s * 1e9),
        "end_ns": int((start_s + 1) * 1e9),
        "evidence": [],
    }


def anomaly_id(data: dict[str, Any]) -> str:
    return Anomaly.from_dict(data).anomaly_id


def report(
    component: str,
    severity: str = "high",
    anomalies: list[dict[str, Any]] | None = None,
    **diagnosis: Any,
) -> dict[str, Any]:
    return {
        "batch_id": "b",
        "vehicle_id": "v",
        "status": "completed",
        "summary": None,
        "anomalies": anomalies or [],
        "diagnosis": {
            "component": component,
            "root_cause": "…",
            "severity": severity,
            "confidence": 0.9,
            "evidence": [],
            "actions": [],
            "engine": "offline-rules",
            "related_anomalies": [],
            **diagnosis,
        },
    }


def step(component: str, start_s: float, end_s: float, *ids: str) -> dict[str, Any]:
    return {
        "component": component,
        "event": "…",
        "start_s": start_s,
        "end_s": end_s,
        "evidence_ids": list(ids),
    }


def precedent(component: str) -> dict[str, Any]:
    return {
        "batch_id": f"past-{component}",
        "vehicle_id": "v",
        "similarity": 0.9,
        "component": component,
        "severity": "high",
        "root_cause": "…",
        "outcome": "confirmed",
    }


def score(t: GroundTruth, r: dict[str, Any], *, repeated: bool = False) -> Any:
    return score_batch(t, ReportFacts.from_report(r), repeated=repeated)


def row(
    t: GroundTruth, r: dict[str, Any], *, latency_s: float = 1.0, repeated: bool = False
) -> BatchRow:
    facts = ReportFacts.from_report(r)
    return batch_row(t, facts, batch_id="b", latency_s=latency_s, repeated=repeated)


def test_rules_report_without_the_new_fields_scores_them_na() -> None:
    s = score(truth(LIDAR), report("lidar", "high"))
    assert (s.top1, s.top3, s.severity_right) == (True, True, True)
    assert (s.evidence_valid, s.grounded, s.retrieval_hit) == (None, None, None)
    cells = aggregate("rules", [row(truth(LIDAR), report("lidar"))]).cells()
    for metric in ("evidence valid", "grounded", "retrieval hit@3", "LLM calls/batch mean/max"):
        assert cells[metric] == "n/a"
    assert cells["prompt tokens p50/max (budget)"] == "n/a"


def test_wrong_component_counts_for_top3_when_an_anomaly_names_the_root_cause() -> None:
    anomalies = [anomaly("sensor_dropout", "radar"), anomaly("sensor_dropout", "power")]
    s = score(truth(POWER), report("radar", "critical", anomalies))
    assert (s.top1, s.top3, s.severity_right) == (False, True, True)


def test_top3_takes_only_the_first_three_distinct_components() -> None:
    anomalies = [
        anomaly("sensor_dropout", c) for c in ("radar", "radar", "camera", "lidar", "power")
    ]
    assert score(truth(POWER), report("radar", "critical", anomalies)).top3 is False


def test_chain_components_come_before_anomalies_in_top3() -> None:
    anomalies = [anomaly("sensor_dropout", c) for c in ("radar", "camera", "lidar")]
    chain = [step("radar", 5, 9), step("power", 5, 7)]
    assert score(truth(POWER), report("radar", "critical", anomalies, chain=chain)).top3 is True


def test_severity_is_scored_apart_from_the_component() -> None:
    s = score(truth(LIDAR), report("lidar", "critical"))
    assert (s.top1, s.severity_right) == (True, False)


def test_healthy_drive_is_right_only_when_the_diagnosis_names_no_component() -> None:
    healthy = truth()
    right = score(healthy, report("none", "info"))
    assert (right.top1, right.severity_right, right.said_healthy, right.truly_healthy) == (
        True,
    ) * 4
    assert right.grounded is None
    wrong = score(healthy, report("lidar", "high"))
    assert (wrong.top1, wrong.top3, wrong.said_healthy) == (False, False, False)


def test_no_fault_precision_counts_batches_said_healthy() -> None:
    rows = [
        row(truth(), report("none", "info")),
        row(truth(LIDAR), report("none", "info")),
        row(truth(), report("lidar", "high")),
        row(truth(PLANNER), report("planner", "medium")),
    ]
    agg = aggregate("rules", rows)
    assert (agg.no_fault_precision, agg.healthy_recall) == (Ratio(1, 2), Ratio(1, 2))
    assert agg.top1 == Ratio(2, 4)


def test_no_fault_precision_is_na_when_no_batch_was_said_healthy() -> None:
    agg = aggregate("rules", [row(truth(LIDAR), report("lidar"))])
    assert agg.no_fault_precision is None
    assert agg.cells()["no-fault precision"] == "n/a"


def test_two_faults_either_root_cause_is_right_and_the_worst_severity_counts() -> None:
    two = truth(PLANNER, LIDAR)
    assert score(two, report("planner", "high")).top1 is True
    assert score(two, report("lidar", "high")).severity_right is True
    assert score(two, report("localization", "high")).top1 is False


def test_two_faults_chain_is_matched_against_the_named_root_cause() -> None:
    two = truth(PLANNER, LIDAR)
    lidar_chain = [step("lidar", 10, 15), step("localization", 10.5, 15)]
    assert score(two, report("lidar", chain=lidar_chain)).grounded is True
    assert score(two, report("planner", chain=lidar_chain)).grounded is False


def test_evidence_is_valid_when_every_cited_id_is_in_the_batch_evidence() -> None:
    # The ids that exist are recomputed from the report's summary and Top-K, never taken from
    # the diagnosis itself.
    result = gather(sample_files(), template_miner=FakeTemplateMiner())
    items = build_evidence(result.summary, result.anomalies)
    non_anomaly = next(i.evidence_id for i in items if i.evidence_id.startswith("tpl-"))
    cited = [result.anomalies[0].anomaly_id, non_anomaly]
    batch = {
        "summary": result.summary.to_dict(),
        "anomalies": [a.to_dict() for a in result.anomalies],
    }
    valid = {**report("lidar", cited_evidence_ids=cited), **batch}
    assert score(truth(LIDAR), valid).evidence_valid is True
    made_up = {**report("lidar", cited_evidence_ids=["tpl-ffffffffffff"]), **batch}
    assert score(truth(LIDAR), made_up).evidence_valid is False
    dropout = anomaly("sensor_dropout", "lidar")
    unknown = report(
        "lidar", anomalies=[dropout], cited_evidence_ids=["sensor_dropout-ffffffffffff"]
    )
    assert score(truth(LIDAR), unknown).evidence_valid is False


def test_ids_cited_by_chain_steps_must_exist_too() -> None:
    dropout = anomaly("sensor_dropout", "lidar")
    chain = [step("lidar", 10, 15, anomaly_id(dropout)), step("localization", 10.5, 15, "rate-x")]
    r = report("lidar", anomalies=[dropout], cited_evidence_ids=[], chain=chain)
    assert score(truth(LIDAR), r).evidence_valid is False


@pytest.mark.parametrize(
    ("chain", "grounded"),
    [
        (
            [
                step("power", 5, 7),
                step("lidar", 5.3, 9),
                step("camera", 5.3, 9),
                step("perception", 6, 9),
            ],
            True,
        ),
        # Components that failed together may be named in either order.
        (
            [
                step("power", 5, 7),
                step("camera", 5.3, 9),
                step("lidar", 5.3, 9),
                step("perception", 6, 9),
            ],
            True,
        ),
        # Times within the tolerance of the truth's.
        (
            [
                step("power", 3.5, 4),
                step("lidar", 10, 11),
                step("camera", 6, 8),
                step("perception", 7, 8),
            ],
            True,
        ),
        (
            [
                step("lidar", 5.3, 9),
                step("power", 5, 7),
                step("camera", 5.3, 9),
                step("perception", 6, 9),
            ],
            False,
        ),
        (
            [
                step("power", 5, 7),
                step("perception", 6, 9),
                step("lidar", 5.3, 9),
                step("camera", 5.3, 9),
            ],
            False,
        ),
        ([step("power", 5, 7), step("lidar", 5.3, 9), step("perception", 6, 9)], False),
        (
            [
                step("power", 5, 7),
                step("lidar", 5.3, 9),
                step("camera", 5.3, 9),
                step("perception", 6, 9),
                step("radar", 6, 9),
            ],
            False,
        ),
        (
            [
                step("power", 20, 22),
                step("lidar", 5.3, 9),
                step("camera", 5.3, 9),
                step("perception", 6, 9),
            ],
            False,
        ),
        ([], False),
    ],
)
def test_grounded_needs_the_truths_components_in_order_and_in_time(
    chain: list[dict[str, Any]], grounded: bool
) -> None:
    assert score(truth(POWER), report("power", "critical", chain=chain)).grounded is grounded


def test_grounded_needs_the_right_root_cause_and_is_na_without_a_chain() -> None:
    chain = [
        step("power", 5, 7),
        step("lidar", 5.3, 9),
        step("camera", 5.3, 9),
        step("perception", 6, 9),
    ]
    assert score(truth(POWER), report("lidar", "critical", chain=chain)).grounded is False
    assert score(truth(POWER), report("power", "critical")).grounded is None


def test_retrieval_hit_at_3_for_a_repeated_incident() -> None:
    top = [precedent(c) for c in ("camera", "radar", "lidar", "imu")]
    r = report("lidar", precedents=top)
    assert score(truth(LIDAR), r, repeated=True).retrieval_hit is True
    fourth = [precedent(c) for c in ("camera", "radar", "imu", "lidar")]
    assert (
        score(truth(LIDAR), report("lidar", precedents=fourth), repeated=True).retrieval_hit
        is False
    )


def test_retrieval_is_na_for_a_first_run_or_a_report_without_precedents() -> None:
    r = report("lidar", precedents=[precedent("lidar")])
    assert score(truth(LIDAR), r, repeated=False).retrieval_hit is None
    assert score(truth(LIDAR), report("lidar"), repeated=True).retrieval_hit is None


def test_tokens_calls_and_latency_aggregate_against_the_budget() -> None:
    rows = [
        row(
            truth(LIDAR),
            report("lidar", prompt_tokens=1000, token_budget=3000, llm_calls=1),
            latency_s=2.0,
        ),
        row(
            truth(LIDAR),
            report("lidar", prompt_tokens=3500, token_budget=3000, llm_calls=1),
            latency_s=4.0,
        ),
        row(
            truth(LIDAR),
            report("lidar", prompt_tokens=2000, token_budget=3000, llm_calls=0),
            latency_s=9.0,
        ),
    ]
    agg = aggregate("llm", rows)
    assert (agg.prompt_tokens_p50, agg.prompt_tokens_max, agg.token_budget) == (2000, 3500, 3000)
    assert agg.over_budget == 1
    assert (agg.latency_p50_s, agg.latency_max_s) == (4.0, 9.0)
    assert agg.llm_calls_max == 1
    assert agg.cells()["prompt tokens p50/max (budget)"] == "2000 / 3500 (3000, 1 over)"


def test_malformed_or_missing_fields_read_as_na_not_a_crash() -> None:
    r = report(
        "lidar", chain="garbage", precedents={"not": "a list"}, prompt_tokens="12", llm_calls=True
    )
    facts = ReportFacts.from_report(r)
    assert (facts.chain, facts.precedents, facts.prompt_tokens, facts.llm_calls) == (None,) * 4
    failed = {"batch_id": "b", "vehicle_id": "v", "status": "failed", "diagnosis": None}
    s = score(truth(LIDAR), failed)
    assert (s.top1, s.top3, s.severity_right, s.evidence_valid) == (False, False, False, None)


def test_aggregates_json_gives_ratios_with_values_and_na_as_null() -> None:
    data = aggregate(
        "rules", [row(truth(LIDAR), report("lidar")), row(truth(), report("lidar"))]
    ).to_dict()
    assert data["top1"] == {"hits": 1, "total": 2, "value": 0.5}
    assert data["grounded"] is None


def test_a_json_row_keeps_the_diagnosed_severity_beside_the_scores() -> None:
    data = row(truth(LIDAR), report("lidar", "critical")).to_dict()
    assert (data["severity"], data["severity_right"], data["top1"]) == ("critical", False, True)


def test_markdown_has_the_metrics_and_one_line_per_batch() -> None:
    rows = (
        row(truth(LIDAR, scenario="lidar-dropout"), report("lidar")),
        row(truth(scenario="healthy"), report("none", "info")),
    )
    run = EvalRun("2026-12-02 16:00 UTC", "test box", {}, aggregate("rules", rows), rows)
    text = markdown(run)
    assert "| top-1 | 2/2 (100%) |" in text
    assert (
        sum(line.startswith(("| lidar-dropout |", "| healthy |")) for line in text.splitlines())
        == 2
    )


def test_seeds_are_a_count_or_a_list_and_scenarios_are_checked() -> None:
    assert parse_seeds("2") == (1, 2)
    assert parse_seeds("3,7") == (3, 7)
    assert parse_seeds("5,") == (5,)
    for bad in ("0", "1,1", "x"):
        with pytest.raises(ValueError):
            parse_seeds(bad)
    assert parse_scenarios("all", ["a", "b"]) == ("a", "b")
    assert parse_scenarios("b", ["a", "b"]) == ("b",)
    assert parse_scenarios("b,a,b", ["a", "b"]) == ("b", "a")
    with pytest.raises(ValueError, match="unknown"):
        parse_scenarios("a,zzz", ["a", "b"])
