"""The rules' propagation chain: suspect first, then by start; cited ids exist; healthy is empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from argus.domain.analysis import Anomaly, FileResult, diagnose_offline, gather
from argus.domain.analysis.evidence import build_evidence
from argus.domain.analysis.rule_chain import MAX_CHAIN_STEPS, MAX_STEP_EVIDENCE, rule_chain
from argus.domain.parsed_file import ParsedFile, TopicStats
from argus.infrastructure.parsing import PythonMcapParser
from argus.infrastructure.templates import Drain3TemplateMiner
from argus.loggen.scenarios import generate_scenario
from tests.fakes.analysis import sample_files
from tests.fakes.templates import FakeTemplateMiner

pytestmark = pytest.mark.unit

S = 1_000_000_000
T0 = 1_700_000_000 * S


def anomaly(
    component: str, start_s: float | None, *, kind: str = "error_burst", score: float = 1.0
) -> Anomaly:
    start = None if start_s is None else T0 + round(start_s * S)
    end = None if start is None else start + 2 * S
    title = f"{component} {kind} at {start_s}"
    return Anomaly(kind, component, score, title, start, end, ())


def ids(*anomalies: Anomaly) -> set[str]:
    return {a.anomaly_id for a in anomalies}


def test_the_suspect_comes_first_then_the_others_by_their_first_start() -> None:
    planner = anomaly("planner", 20.0, score=9.0)
    camera = anomaly("camera", 5.0, kind="sensor_dropout")
    lidar_late, lidar_early = anomaly("lidar", 30.0), anomaly("lidar", 10.0, kind="sensor_dropout")
    broken_file = anomaly("recorder", None, kind="parse_failure")
    top_k = [planner, broken_file, lidar_late, camera, lidar_early]
    chain = rule_chain(top_k, suspect="planner", origin_ns=T0, known_ids=ids(*top_k))
    assert [s.component for s in chain] == ["planner", "camera", "lidar", "recorder"]
    lidar = chain[2]
    assert lidar.evidence_ids == (lidar_early.anomaly_id, lidar_late.anomaly_id)
    assert (lidar.start_s, lidar.end_s) == (10.0, 32.0)
    assert lidar.event == "data stopped, error burst"
    assert (chain[3].start_s, chain[3].end_s, chain[3].event) == (None, None, "file unreadable")


def test_anomalies_missing_from_the_evidence_are_not_cited() -> None:
    kept, dropped = anomaly("lidar", 1.0), anomaly("lidar", 2.0)
    chain = rule_chain([kept, dropped], suspect="lidar", origin_ns=T0, known_ids=ids(kept))
    assert [s.evidence_ids for s in chain] == [(kept.anomaly_id,)]


def test_the_chain_is_bounded_in_steps_and_in_ids_per_step() -> None:
    many = [anomaly(f"node{i}", float(i)) for i in range(MAX_CHAIN_STEPS + 5)]
    many += [anomaly("node0", 100.0 + i) for i in range(MAX_STEP_EVIDENCE + 5)]
    chain = rule_chain(many, suspect="node0", origin_ns=T0, known_ids=ids(*many))
    assert len(chain) == MAX_CHAIN_STEPS
    assert len(chain[0].evidence_ids) == MAX_STEP_EVIDENCE


def test_the_rules_chain_starts_at_their_component_and_cites_only_evidence_ids() -> None:
    result = gather(sample_files(), template_miner=FakeTemplateMiner())
    diagnosis = diagnose_offline(summary=result.summary, anomalies=result.anomalies)
    evidence = {item.evidence_id for item in build_evidence(result.summary, result.anomalies)}
    assert diagnosis.chain[0].component == diagnosis.component == "lidar"
    cited = [i for step in diagnosis.chain for i in step.evidence_ids]
    assert cited and set(cited) <= evidence
    assert diagnosis.cited_evidence_ids == tuple(dict.fromkeys(cited))
    assert {result.anomalies[i].anomaly_id for i in diagnosis.related_anomalies} == set(
        diagnosis.chain[0].evidence_ids
    )
    # Seconds after the batch start, as the report's other times.
    starts = [s.start_s for s in diagnosis.chain[1:] if s.start_s is not None]
    assert diagnosis.chain[0].start_s == 30.0 and starts == sorted(starts)
    again = diagnose_offline(summary=result.summary, anomalies=result.anomalies)
    assert again == diagnosis


def test_a_healthy_batch_has_an_empty_chain() -> None:
    imu = TopicStats(count=2001, bytes=200_100, schema="x", first_ns=T0, last_ns=T0 + 20 * S)
    parsed = ParsedFile(
        engine="test", start_ns=T0, end_ns=T0 + 20 * S, message_count=2001, topics={"/imu": imu}
    )
    result = gather([FileResult("drive_0.mcap", parsed)], template_miner=FakeTemplateMiner())
    diagnosis = diagnose_offline(summary=result.summary, anomalies=result.anomalies)
    assert diagnosis.component == "none"
    assert (diagnosis.chain, diagnosis.cited_evidence_ids) == ((), ())


def test_the_chain_uses_the_ground_truths_time_base(tmp_path: Path) -> None:
    paths, truth = generate_scenario(tmp_path, "lidar-dropout", 1, files=1, size=150_000)
    parser = PythonMcapParser()
    files = [FileResult(p.name, parser.parse(p)) for p in paths]
    result = gather(files, template_miner=Drain3TemplateMiner())
    diagnosis = diagnose_offline(summary=result.summary, anomalies=result.anomalies)
    expected = truth.root_causes[0].chain[0]
    step = diagnosis.chain[0]
    assert step.component == expected.component == "lidar"
    # The silence is seen from the last message before it: within one lidar period (0.1 s).
    assert step.start_s is not None and abs(step.start_s - expected.start_s) <= 0.2
