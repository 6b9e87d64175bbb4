"""In-memory fake of the IncidentMemory port: exact cosine over the fake store's diagnoses."""

from __future__ import annotations

import math
from collections.abc import Sequence

from argus.application.diagnosis.embedding import Embedder
from argus.domain.analysis import Anomaly, BatchSummary, Diagnosis, Precedent
from argus.domain.analysis.feedback import precedent_of, reviewed_first
from argus.domain.analysis.signature import BatchSignature
from tests.fakes.repositories import FakeStore


class FakeIncidentMemory:
    """Vectors keyed by batch id, shared by every fake memory over the same store."""

    def __init__(
        self,
        store: FakeStore,
        *,
        embedder: Embedder,
        fleet_id: str,
        candidates: int = 10,
        min_similarity: float = 0.5,
    ) -> None:
        self.store = store
        self._embedder = embedder
        self._fleet_id = fleet_id
        self._candidates = candidates
        self._min_similarity = min_similarity
        self._vectors = store.vectors

    async def similar(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        k: int,
    ) -> list[Precedent]:
        query = await self._vector(summary, anomalies)
        scored = sorted(
            (-_cosine(query, vector), other)
            for other, (fleet, embedder, vector) in self._vectors.items()
            if fleet == self._fleet_id and embedder == self._embedder.name and other != batch_id
        )[: max(k, self._candidates)]
        found = [self._precedent(other, -distance) for distance, other in scored]
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
        if batch_id in self.store.diagnoses:
            vector = await self._vector(summary, anomalies)
            self._vectors[batch_id] = (self._fleet_id, self._embedder.name, vector)

    async def _vector(self, summary: BatchSummary, anomalies: Sequence[Anomaly]) -> list[float]:
        [vector] = await self._embedder.embed([BatchSignature.of(summary, anomalies).text()])
        return vector

    def _precedent(self, batch_id: str, similarity: float) -> Precedent:
        stored = self.store.diagnoses[batch_id]
        return precedent_of(
            batch_id=batch_id,
            vehicle_id=self.store.batches[batch_id].vehicle_id,
            similarity=similarity,
            component=stored.component,
            root_cause=stored.root_cause,
            severity=stored.severity,
            feedback=self.store.feedback.get(batch_id),
        )


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / ((math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))) or 1.0)
