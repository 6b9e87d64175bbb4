"""Retrieval with the minilm embedder against the real PostgreSQL: HNSW, fleet, embedder."""

from __future__ import annotations

import importlib.util
import uuid

import pytest

from argus.bootstrap import Adapters
from argus.infrastructure.embeddings.hashed import HashedSignatureEmbedder
from argus.infrastructure.postgres.incident_memory import PostgresIncidentMemory
from tests.integration.test_report_read_path import finished_batch

pytestmark = pytest.mark.integration

if importlib.util.find_spec("onnxruntime") is None:
    pytest.skip(
        "THE MINILM RETRIEVAL IS NOT TESTED: the embed extra is missing (make setup installs it)",
        allow_module_level=True,
    )

from argus.infrastructure.embeddings.minilm import MiniLmEmbedder  # noqa: E402


async def test_minilm_vectors_are_stored_found_and_kept_apart_from_hashed_ones(
    adapters: Adapters,
) -> None:
    fleet = f"fleet-{uuid.uuid4().hex[:8]}"
    first, second = (f"t-{uuid.uuid4().hex[:12]}" for _ in range(2))

    def memory(embedder: MiniLmEmbedder | HashedSignatureEmbedder) -> PostgresIncidentMemory:
        return PostgresIncidentMemory(
            adapters.pool, embedder=embedder, fleet_id=fleet, candidates=10, min_similarity=0.5
        )

    minilm = memory(MiniLmEmbedder())
    for batch_id in (first, second):
        await finished_batch(adapters, batch_id)
        record = await adapters.reports.load(batch_id)
        assert record is not None and record.summary and record.diagnosis
        await minilm.remember(
            batch_id=batch_id,
            vehicle_id="veh-1",
            summary=record.summary,
            anomalies=record.anomalies,
            diagnosis=record.diagnosis,
        )
    assert record.summary is not None
    ask = {"vehicle_id": "veh-2", "summary": record.summary, "anomalies": record.anomalies}
    found = await minilm.similar(batch_id=first, k=3, **ask)
    assert [p.batch_id for p in found] == [second]
    assert found[0].similarity == pytest.approx(1.0, abs=1e-4)  # the same sample batch
    async with adapters.pool.acquire() as conn:
        stored = await conn.fetch(
            "SELECT embedder FROM ai_diagnoses WHERE batch_id = ANY($1::text[])", [first, second]
        )
    assert [r["embedder"] for r in stored] == ["minilm", "minilm"]
    # The hashed embedder's memory of the same fleet compares nothing with these vectors.
    assert await memory(HashedSignatureEmbedder()).similar(batch_id="new", k=3, **ask) == []
