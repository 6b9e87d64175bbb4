"""Retrieval's index plan and the feedback endpoint over HTTP, against real PostgreSQL and Redis."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from argus.bootstrap import Adapters, incident_memory
from argus.constants import report_cache_key
from argus.domain.analysis.signature import hashed_embedding
from argus.infrastructure.postgres.incident_memory import _NEAREST, vector_literal
from tests.integration.test_report_read_path import finished_batch

pytestmark = pytest.mark.integration


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_nearest_incidents_are_found_through_the_hnsw_index(
    adapters: Adapters, batch_id: str
) -> None:
    await finished_batch(adapters, batch_id)
    memory = incident_memory(adapters)
    record = await adapters.reports.load(batch_id)
    assert record is not None and record.summary and record.anomalies and record.diagnosis
    await memory.remember(
        batch_id=batch_id,
        vehicle_id="veh-1",
        summary=record.summary,
        anomalies=record.anomalies,
        diagnosis=record.diagnosis,
    )
    async with adapters.pool.acquire() as conn, conn.transaction():
        # With few rows the planner rightly prefers a scan; forbid it to see the index serve.
        await conn.execute("SET LOCAL enable_seqscan = off")
        plan = await conn.fetch(
            f"EXPLAIN {_NEAREST}",
            vector_literal(hashed_embedding("x")),
            "default",
            "other",
            3,
            "hashed",
        )
        fleet = await conn.fetchval(
            "SELECT fleet_id FROM ai_diagnoses WHERE batch_id = $1", batch_id
        )
    assert "ai_diagnoses_embedding_hnsw" in "\n".join(r[0] for r in plan)
    assert fleet == adapters.settings.retrieval.fleet_id == "default"


async def test_feedback_is_stored_shown_in_the_report_and_refreshes_the_cached_report(
    adapters: Adapters, http: httpx.AsyncClient, batch_id: str
) -> None:
    await finished_batch(adapters, batch_id)
    before = await http.get(f"/api/report/{batch_id}")
    assert before.status_code == 200 and before.json()["feedback"] is None
    assert await adapters.redis.get(report_cache_key(batch_id)) is not None

    url = f"/api/v1/batches/{batch_id}/diagnosis/feedback"
    first = await http.post(url, json={"verdict": "confirmed", "note": "seen it"})
    assert first.status_code == 201
    assert first.json()["verdict"] == "confirmed" and first.json()["note"] == "seen it"
    assert await adapters.redis.get(report_cache_key(batch_id)) is None

    body = {"verdict": "corrected", "component": "power", "root_cause": "PDU", "severity": "high"}
    second = await http.post(url, json=body)
    assert second.status_code == 200
    report = (await http.get(f"/api/v1/batches/{batch_id}/report")).json()
    feedback = report["feedback"]
    assert {k: feedback[k] for k in body} == body
    assert feedback["note"] == ""
    assert _when(feedback["created_at"]) == _when(first.json()["created_at"])
    assert _when(feedback["updated_at"]) == _when(second.json()["updated_at"])
    assert report["diagnosis"]["component"] == "none"  # the diagnosis itself is kept


@pytest.mark.parametrize(
    "body",
    [
        {"verdict": "corrected"},
        {"verdict": "maybe"},
        {"verdict": "confirmed", "severity": "dire"},
        {"verdict": "confirmed", "note": "x" * 2001},
        {"verdict": "confirmed", "extra": 1},
        {"component": "lidar"},
    ],
)
async def test_invalid_feedback_is_400_in_the_standard_error_shape(
    adapters: Adapters, http: httpx.AsyncClient, batch_id: str, body: dict[str, object]
) -> None:
    await finished_batch(adapters, batch_id)
    response = await http.post(f"/api/v1/batches/{batch_id}/diagnosis/feedback", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"
    assert (await http.get(f"/api/report/{batch_id}")).json()["feedback"] is None


async def test_feedback_on_an_unknown_batch_is_404_and_before_the_diagnosis_409(
    adapters: Adapters, http: httpx.AsyncClient, batch_id: str
) -> None:
    url = "/api/v1/batches/{}/diagnosis/feedback"
    missing = await http.post(url.format(batch_id), json={"verdict": "confirmed"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    created = await http.post("/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": batch_id})
    assert created.status_code == 201
    early = await http.post(url.format(batch_id), json={"verdict": "confirmed"})
    assert early.status_code == 409 and early.json()["error"]["code"] == "conflict"
