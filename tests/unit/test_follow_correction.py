"""The rules defer to an engineer's correction of a near-identical incident, and to no other."""

from __future__ import annotations

import pytest

from argus.domain.analysis import Anomaly, Diagnosis, Outcome, Precedent, RuleBasedDiagnoser, gather
from argus.domain.analysis.corrections import FOLLOW_SIMILARITY, follow_correction
from tests.fakes.templates import FakeTemplateMiner

pytestmark = pytest.mark.unit

ANOMALIES = (
    Anomaly("sensor_dropout", "lidar", 3.0, "lidar silent", None, None, ()),
    Anomaly("diagnostic_error", "power", 1.0, "pdu warn", None, None, ()),
)
RULES = Diagnosis("lidar", "lidar silent", "high", 0.8, (), (), "offline-rules", (0,))


def precedent(outcome: Outcome, similarity: float, component: str = "power") -> Precedent:
    return Precedent(
        batch_id="b-old",
        vehicle_id="veh-1",
        similarity=similarity,
        component=component,
        severity="critical",
        root_cause="PDU brown-out",
        outcome=outcome,
    )


def test_a_close_correction_names_its_component_and_keeps_the_rules_view() -> None:
    followed = follow_correction(
        RULES, [precedent(Outcome.CORRECTED, FOLLOW_SIMILARITY)], ANOMALIES
    )
    assert (followed.component, followed.severity) == ("power", "critical")
    assert followed.root_cause.startswith("PDU brown-out (as an engineer corrected the similar")
    assert "b-old" in followed.root_cause and "the rules alone said lidar" in followed.root_cause
    assert followed.related_anomalies == (1,)
    assert followed.rule_diagnosis == RULES


@pytest.mark.parametrize(
    "precedents",
    [
        [],
        [precedent(Outcome.CORRECTED, FOLLOW_SIMILARITY - 0.01)],  # not close enough
        [precedent(Outcome.CONFIRMED, 0.99)],  # confirmed: nothing to learn
        [precedent(Outcome.UNREVIEWED, 0.99)],  # not reviewed by anyone
    ],
)
def test_anything_but_a_close_correction_leaves_the_rules_alone(
    precedents: list[Precedent],
) -> None:
    assert follow_correction(RULES, precedents, ANOMALIES) is RULES


def test_a_quiet_root_cause_without_an_anomaly_is_followed_too() -> None:
    followed = follow_correction(RULES, [precedent(Outcome.CORRECTED, 0.9, "compute")], ANOMALIES)
    assert followed.component == "compute" and followed.related_anomalies == ()


async def test_the_rule_diagnoser_follows_a_correction_it_is_given() -> None:
    summary = gather([], template_miner=FakeTemplateMiner()).summary
    diagnosis = await RuleBasedDiagnoser().diagnose(
        batch_id="b-new",
        vehicle_id="veh-1",
        summary=summary,
        anomalies=ANOMALIES,
        precedents=[precedent(Outcome.CORRECTED, 0.97)],
    )
    assert diagnosis.component == "power" and diagnosis.rule_diagnosis is not None
    assert diagnosis.rule_diagnosis.component == "lidar"
