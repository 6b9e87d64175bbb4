"""The batch signature, its hashed embedding and the feedback rules (pure domain)."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys

import pytest

from argus.domain.analysis import Anomaly, BatchSummary, LogTemplate, Precedent, gather
from argus.domain.analysis.feedback import FEEDBACK_NOTE_MAX_CHARS, Feedback, reviewed_first
from argus.domain.analysis.precedents import Outcome
from argus.domain.analysis.signature import (
    EMBEDDING_DIMENSIONS,
    HEALTHY,
    BatchSignature,
    hashed_embedding,
)
from argus.domain.errors import InvalidInput
from argus.infrastructure.embeddings.hashed import HashedSignatureEmbedder
from tests.fakes.analysis import sample_files
from tests.fakes.templates import FakeTemplateMiner

pytestmark = pytest.mark.unit


def empty_summary() -> BatchSummary:
    return gather([], template_miner=FakeTemplateMiner()).summary


def anomaly(kind: str, component: str, title: str = "t") -> Anomaly:
    return Anomaly(kind, component, 1.0, title, None, None, ())


def template(text: str, level: str = "ERROR") -> LogTemplate:
    return LogTemplate(text, 3, level, "node", text, 0)


def signature(*anomalies: Anomaly, templates: tuple[LogTemplate, ...] = ()) -> BatchSignature:
    summary = dataclasses.replace(empty_summary(), log_templates=templates)
    return BatchSignature.of(summary, anomalies)


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_signature_lists_components_kinds_problem_templates_diagnostics_and_silent_topics() -> None:
    gathered = gather(sample_files(), template_miner=FakeTemplateMiner())
    features = BatchSignature.of(gathered.summary, gathered.anomalies).features
    assert "component:lidar" in features
    assert "kind:sensor_dropout:lidar" in features
    assert "silent:/lidar/points" in features
    assert "silent:/imu/data" not in features
    assert any(f.startswith("diagnostic:lidar") and f.endswith(":ERROR") for f in features)
    assert any(f.startswith("log:ERROR:") for f in features)
    assert list(features) == sorted(set(features))


def test_numbers_in_templates_are_masked_and_info_chatter_is_left_out() -> None:
    one = signature(templates=(template("voltage 11.2 V on bus 0x1f"), template("hello 1", "INFO")))
    two = signature(templates=(template("voltage 10.9 V on bus 0x2a"),))
    assert one.features == two.features == ("log:ERROR:voltage <n> v on bus <n>",)


def test_a_batch_without_anything_wrong_has_the_healthy_signature() -> None:
    healthy = signature()
    assert healthy.features == (HEALTHY,)
    vector = hashed_embedding(healthy.text())
    assert math.isclose(sum(x * x for x in vector), 1.0)


async def test_hashed_vectors_are_unit_length_with_the_column_width() -> None:
    embedder = HashedSignatureEmbedder()
    vectors = await embedder.embed([signature(anomaly("error_burst", "can")).text(), ""])
    assert embedder.dimensions == EMBEDDING_DIMENSIONS == 384
    assert [len(v) for v in vectors] == [384, 384]
    assert all(math.isclose(sum(x * x for x in v), 1.0) for v in vectors)


def test_similar_signatures_are_closer_than_different_ones() -> None:
    burst = template("planner missed deadline by 12 ms")
    base = signature(
        anomaly("sensor_dropout", "lidar"), anomaly("diagnostic_error", "power"), templates=(burst,)
    )
    alike = signature(
        anomaly("sensor_dropout", "lidar"),
        anomaly("diagnostic_error", "power"),
        anomaly("rate_degradation", "camera"),
        templates=(template("planner missed deadline by 40 ms"),),
    )
    other = signature(anomaly("error_burst", "can"), anomaly("error_logs", "gnss"))
    v_base, v_alike, v_other = (hashed_embedding(s.text()) for s in (base, alike, other))
    assert cosine(v_base, v_alike) > 0.7
    assert cosine(v_base, v_alike) > cosine(v_base, v_other) + 0.5


def test_the_same_signature_gives_the_same_vector_in_another_process() -> None:
    text = signature(anomaly("sensor_dropout", "lidar"), anomaly("error_burst", "can")).text()
    code = (
        "import sys, json; from argus.domain.analysis.signature import hashed_embedding;"
        "print(json.dumps(hashed_embedding(sys.stdin.read())))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            input=text,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == hashed_embedding(text)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"verdict": "maybe"}, "verdict"),
        ({"verdict": "unreviewed"}, "verdict"),
        ({"verdict": "corrected"}, "correction needs"),
        ({"verdict": "corrected", "component": "  "}, "correction needs"),
        ({"verdict": "confirmed", "severity": "dire"}, "severity"),
        ({"verdict": "confirmed", "note": "x" * (FEEDBACK_NOTE_MAX_CHARS + 1)}, "note"),
    ],
)
def test_feedback_that_breaks_a_rule_is_invalid_input(fields: dict[str, str], problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        Feedback.parse(**fields)


def test_a_correction_replaces_only_what_it_names() -> None:
    feedback = Feedback.parse(verdict="corrected", component="power", note="brown-out")
    assert feedback.outcome_over(component="lidar", root_cause="link", severity="high") == (
        "power",
        "link",
        "high",
    )
    assert Feedback.parse(verdict="confirmed").to_dict()["verdict"] == "confirmed"


def test_reviewed_precedents_come_first_then_the_most_similar() -> None:
    def precedent(batch_id: str, similarity: float, outcome: Outcome) -> Precedent:
        return Precedent(batch_id, "veh", similarity, "lidar", "high", "x", outcome)

    ranked = reviewed_first(
        [
            precedent("a", 0.99, Outcome.UNREVIEWED),
            precedent("b", 0.7, Outcome.CORRECTED),
            precedent("c", 0.8, Outcome.CONFIRMED),
            precedent("d", 0.9, Outcome.UNREVIEWED),
        ],
        3,
    )
    assert [p.batch_id for p in ranked] == ["c", "b", "a"]
