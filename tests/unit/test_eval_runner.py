"""`argus eval`'s runner over a fake Argus API (httpx.MockTransport): rounds, rows, failures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from argus.evaluation import EvalOptions, run_suite

pytestmark = pytest.mark.unit


class FakeArgus:
    """Answers the calls of one batch's life; every diagnosis says lidar, with a lidar precedent.

    The report of `broken_batch` answers 500, like a server that failed that one batch.
    """

    def __init__(self, broken_batch: str) -> None:
        self.broken_batch = broken_batch
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        path = request.url.path
        self.calls.append((request.method, path))
        if request.method == "POST" and path == "/api/v1/batches":
            return httpx.Response(201, json={"status": "pending", **json.loads(request.content)})
        if request.method == "PUT":
            return httpx.Response(201, json={"file_id": "f"})
        if path.endswith("/complete"):
            return httpx.Response(202, json={"status": "uploaded"})
        if path.endswith("/events"):
            event = json.dumps({"type": "status", "status": "completed"})
            return httpx.Response(200, text=f"id: 1-0\ndata: {event}\n\n")
        batch_id = path.rsplit("/", 1)[-1]
        if batch_id.endswith(self.broken_batch):
            return httpx.Response(500, json={"error": {"code": "internal", "message": "boom"}})
        return httpx.Response(200, json=self.report(batch_id))

    @staticmethod
    def report(batch_id: str) -> dict[str, Any]:
        precedent = {
            "batch_id": "past",
            "vehicle_id": "veh-eval",
            "similarity": 0.8,
            "component": "lidar",
            "severity": "high",
            "root_cause": "lidar dropout",
            "outcome": "confirmed",
        }
        return {
            "batch_id": batch_id,
            "vehicle_id": "veh-eval",
            "status": "completed",
            "anomalies": [],
            "diagnosis": {
                "component": "lidar",
                "severity": "high",
                "engine": "llm",
                "precedents": [precedent],
                "llm_calls": 1,
            },
        }


async def test_every_scenario_and_seed_is_one_scored_row_and_a_failed_batch_does_not_stop_the_run(
    tmp_path: Path,
) -> None:
    fake = FakeArgus(broken_batch="healthy-s2")
    options = EvalOptions(
        scenarios=("lidar-dropout", "healthy"), seeds=(1, 2), files=1, size_bytes=100_000
    )
    rows = await run_suite(
        "http://argus.test",
        options,
        work_dir=tmp_path,
        run_tag="t1",
        transport=httpx.MockTransport(fake),
    )

    assert [(r.scenario, r.seed) for r in rows] == [
        ("healthy", 1),
        ("lidar-dropout", 1),
        ("healthy", 2),
        ("lidar-dropout", 2),
    ]
    by_key = {(r.scenario, r.seed): r for r in rows}
    assert by_key["lidar-dropout", 1].score.top1 is True
    assert by_key["healthy", 1].score.top1 is False
    # Retrieval is scored only for a scenario that already ran with an earlier seed.
    assert by_key["lidar-dropout", 1].score.retrieval_hit is None
    assert by_key["lidar-dropout", 2].score.retrieval_hit is True
    broken = by_key["healthy", 2]
    assert broken.status.startswith("error: ApiError")
    assert (broken.component, broken.score.top1) == ("unknown", False)
    completes = [path for method, path in fake.calls if path.endswith("/complete")]
    assert sorted(completes) == sorted(
        f"/api/v1/batches/eval-t1-{name}-s{seed}/complete"
        for name in options.scenarios
        for seed in options.seeds
    )
    # Rounds: every seed-1 report is read before the first seed-2 file is uploaded.
    paths = [path for _, path in fake.calls]
    last_seed1 = max(
        i for i, p in enumerate(paths) if p.startswith("/api/report/") and p.endswith("-s1")
    )
    first_seed2 = min(i for i, p in enumerate(paths) if "-s2/" in p)
    assert last_seed1 < first_seed2
