"""`argus eval --feedback`: wrong first-seed diagnoses corrected, the next seed scored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from argus.evaluation import EvalOptions, feedback_cells, feedback_round, run_suite
from tests.unit.test_eval_runner import FakeArgus

pytestmark = pytest.mark.unit


class LearningArgus(FakeArgus):
    """Says "lidar" for every batch, until a batch of the same scenario was corrected: then
    its batch is the first precedent and the diagnosis takes the correction's component."""

    def __init__(self) -> None:
        super().__init__(broken_batch="no-such-batch")
        self.corrections: dict[str, dict[str, Any]] = {}  # batch id → feedback body

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/diagnosis/feedback"):
            self.corrections[path.split("/")[4]] = json.loads(await request.aread())
            return httpx.Response(201, json={"verdict": "corrected"})
        return await super().__call__(request)

    def report(self, batch_id: str) -> dict[str, Any]:  # type: ignore[override]
        scenario = batch_id.split("-", 2)[2].rsplit("-s", 1)[0]
        taught = [(b, c) for b, c in self.corrections.items() if scenario in b]
        component = taught[0][1]["component"] if taught else "lidar"
        precedents = [
            {
                "batch_id": b,
                "vehicle_id": "veh-eval",
                "similarity": 0.93,
                "component": c["component"],
                "severity": c["severity"],
                "root_cause": c["root_cause"],
                "outcome": "corrected",
            }
            for b, c in taught
        ]
        diagnosis = {"component": component, "severity": "high", "precedents": precedents}
        return {"batch_id": batch_id, "status": "completed", "diagnosis": diagnosis}


async def test_wrong_first_seed_diagnoses_are_corrected_then_every_scenario_runs_again(
    tmp_path: Path,
) -> None:
    fake = LearningArgus()
    options = EvalOptions(
        scenarios=("lidar-dropout", "camera-dropout", "healthy"),
        seeds=(1, 2),
        files=1,
        size_bytes=100_000,
        feedback=True,
    )
    transport = httpx.MockTransport(fake)
    rows = await run_suite(
        "http://argus.test", options, work_dir=tmp_path, run_tag="t", transport=transport
    )
    assert fake.corrections == {}
    fed = await feedback_round(
        "http://argus.test",
        options,
        rows,
        work_dir=tmp_path,
        run_tag="t",
        transport=transport,
    )
    # lidar-dropout was right; healthy has no component to correct to.
    assert list(fake.corrections) == ["eval-t-camera-dropout-s1"]
    correction = fake.corrections["eval-t-camera-dropout-s1"]
    assert (correction["verdict"], correction["component"]) == ("corrected", "camera")
    assert [(r.scenario, r.corrected) for r in fed] == [
        ("camera-dropout", True),
        ("healthy", False),
        ("lidar-dropout", False),
    ]
    row = fed[0]
    assert (row.scenario, row.before, row.after, row.next_batch_id) == (
        "camera-dropout",
        "lidar",
        "camera",
        "eval-t-camera-dropout-s3",
    )
    assert (row.retrieved, row.similarity, row.right_after) == (True, 0.93, True)
    assert feedback_cells(fed) == {
        "corrected incidents": "1",
        "correction retrieved (top-3)": "1/1 (100%)",
        "right after feedback": "1/1 (100%)",
        "uncorrected, still right": "1/1 (100%)",  # lidar-dropout; healthy was wrong before
    }
