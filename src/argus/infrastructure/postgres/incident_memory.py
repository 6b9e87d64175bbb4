"""pgvector adapter of the IncidentMemory port: similar past incidents of the same fleet.

A diagnosed batch's signature (`BatchSignature`) is embedded and stored on its `ai_diagnoses`
row with the fleet; `similar` asks the HNSW index (`ai_diagnoses_embedding_hnsw`, migration
0003) for the nearest rows of the fleet, joins the engineers' feedback and ranks reviewed
incidents first (`reviewed_first`). See docs/architecture/retrieval.md.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import asyncpg

from argus.application.diagnosis.embedding import Embedder
from argus.domain.analysis import Anomaly, BatchSummary, Diagnosis, Precedent
from argus.domain.analysis.feedback import precedent_of, reviewed_first
from argus.domain.analysis.signature import EMBEDDING_DIMENSIONS, BatchSignature
from argus.domain.errors import InvalidInput
from argus.infrastructure.postgres._errors import connection
from argus.infrastructure.postgres.feedback_repository import FEEDBACK_COLUMNS, feedback_from_row

__all__ = ["PostgresIncidentMemory", "vector_literal"]

log = logging.getLogger(__name__)

# The inner query alone orders by distance with a LIMIT: the shape the HNSW index serves.
# The fleet, embedder (migration 0005) and batch filters apply during the index scan;
# `hnsw.iterative_scan` (pgvector 0.8) keeps scanning when they reject rows, so a small fleet
# (or a new embedder's few vectors) among many still gets its k.
_NEAREST = f"""
SELECT d.batch_id, b.vehicle_id, d.component, d.severity, d.root_cause,
       1 - d.distance AS similarity, {FEEDBACK_COLUMNS}
FROM (
    SELECT batch_id, component, severity, root_cause, embedding <=> $1::vector AS distance
    FROM ai_diagnoses
    WHERE fleet_id = $2 AND batch_id <> $3 AND embedder = $5 AND embedding IS NOT NULL
    ORDER BY embedding <=> $1::vector
    LIMIT $4
) d
JOIN batches b USING (batch_id)
LEFT JOIN diagnosis_feedback f USING (batch_id)
"""


def vector_literal(vector: Sequence[float]) -> str:
    """pgvector's text form, `[0.1,-0.2,...]`, cast with `::vector` (no codec needed)."""
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


class PostgresIncidentMemory:
    """Remembers diagnosed batches of one fleet and finds the ones most like a new batch."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        embedder: Embedder,
        fleet_id: str,
        candidates: int,
        min_similarity: float,
    ) -> None:
        if embedder.dimensions != EMBEDDING_DIMENSIONS:
            raise InvalidInput(
                f"the {embedder.name} embedder gives {embedder.dimensions} dimensions;"
                f" ai_diagnoses.embedding holds {EMBEDDING_DIMENSIONS}"
            )
        self._pool = pool
        self._embedder = embedder
        self._fleet_id = fleet_id
        self._candidates = candidates
        self._min_similarity = min_similarity

    async def similar(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        k: int,
    ) -> list[Precedent]:
        """Up to `k` past incidents of the fleet, reviewed ones first, never `batch_id`."""
        vector = await self._vector(summary, anomalies)
        async with connection(self._pool) as conn, conn.transaction():
            await conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            rows = await conn.fetch(
                _NEAREST,
                vector,
                self._fleet_id,
                batch_id,
                max(k, self._candidates),
                self._embedder.name,
            )
        found = [_precedent(row) for row in rows]
        return reviewed_first((p for p in found if p.similarity >= self._min_similarity), k)

    async def remember(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        diagnosis: Diagnosis,
    ) -> None:
        """Store the signature's vector, its embedder and the fleet on the stored diagnosis."""
        vector = await self._vector(summary, anomalies)
        async with connection(self._pool) as conn:
            status = await conn.execute(
                "UPDATE ai_diagnoses SET embedding = $2::vector, fleet_id = $3, embedder = $4"
                " WHERE batch_id = $1",
                batch_id,
                vector,
                self._fleet_id,
                self._embedder.name,
            )
        if status == "UPDATE 0":
            # Remembering follows saving the diagnosis; without its row there is nothing to
            # attach the vector to (and retrieval simply will not find this batch).
            log.warning("no stored diagnosis of %s to remember", batch_id)

    async def _vector(self, summary: BatchSummary, anomalies: Sequence[Anomaly]) -> str:
        [vector] = await self._embedder.embed([BatchSignature.of(summary, anomalies).text()])
        return vector_literal(vector)


def _precedent(row: asyncpg.Record) -> Precedent:
    return precedent_of(
        batch_id=row["batch_id"],
        vehicle_id=row["vehicle_id"],
        similarity=float(row["similarity"]),
        component=row["component"],
        root_cause=row["root_cause"],
        severity=row["severity"],
        feedback=feedback_from_row(row),
    )
