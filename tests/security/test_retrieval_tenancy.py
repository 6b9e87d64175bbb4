"""Retrieval never crosses fleets: a batch's precedents come from its own fleet only."""

from __future__ import annotations

import uuid

import pytest

from argus import bootstrap
from argus.bootstrap import Adapters
from argus.domain.analysis import Anomaly, Diagnosis, gather
from argus.domain.batch import Batch
from argus.domain.events import BatchGathered, DiagnosisCompleted
from tests.fakes.templates import FakeTemplateMiner

pytestmark = pytest.mark.integration

SUMMARY = gather([], template_miner=FakeTemplateMiner()).summary
LIDAR = (Anomaly("sensor_dropout", "lidar", 3.0, "lidar silent", None, None, ()),)


async def _batch(adapters: Adapters, fleet: str, *, diagnosed: bool) -> str:
    """A batch of `fleet`; diagnosed (lidar) and remembered when asked."""
    batch_id = f"rt-{uuid.uuid4().hex[:12]}"
    await adapters.batches.create(Batch(batch_id=batch_id, vehicle_id="veh-1", fleet_id=fleet))
    if diagnosed:
        await adapters.reports.save_gathered(
            batch_id,
            summary=SUMMARY,
            anomalies=LIDAR,
            event=BatchGathered(batch_id=batch_id, vehicle_id="veh-1", anomaly_count=1),
        )
        diagnosis = Diagnosis("lidar", "lidar failed", "high", 0.8, (), (), "test", ())
        await adapters.reports.save_diagnosis(
            batch_id,
            diagnosis=diagnosis,
            event=DiagnosisCompleted(batch_id=batch_id, component="lidar", severity="high"),
        )
        await bootstrap.incident_memory(adapters).remember(
            batch_id=batch_id, vehicle_id="veh-1", summary=SUMMARY, anomalies=LIDAR,
            diagnosis=diagnosis,
        )  # fmt: skip
    return batch_id


async def test_a_diagnosis_of_one_fleet_is_never_a_precedent_in_another(
    adapters: Adapters,
) -> None:
    fleet_a, fleet_b = (f"rt-{uuid.uuid4().hex[:8]}" for _ in range(2))
    for fleet in (fleet_a, fleet_b):
        await adapters.pool.execute("INSERT INTO fleets (fleet_id) VALUES ($1)", fleet)
    past = await _batch(adapters, fleet_a, diagnosed=True)
    memory = bootstrap.incident_memory(adapters)

    async def precedents(fleet: str) -> list[str]:
        new = await _batch(adapters, fleet, diagnosed=False)
        found = await memory.similar(
            batch_id=new, vehicle_id="veh-2", summary=SUMMARY, anomalies=LIDAR, k=3
        )
        return [p.batch_id for p in found]

    assert await precedents(fleet_a) == [past]
    assert await precedents(fleet_b) == []
