"""`NoMemory`: the incident memory of a deployment without retrieval (a null object)."""

from __future__ import annotations

from collections.abc import Sequence

from argus.domain.analysis import Anomaly, BatchSummary, Diagnosis, Precedent

__all__ = ["NoMemory"]


class NoMemory:
    """The `IncidentMemory` port that remembers nothing and so finds no precedents."""

    async def similar(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        k: int,
    ) -> list[Precedent]:
        """No precedents."""
        return []

    async def remember(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        diagnosis: Diagnosis,
    ) -> None:
        """Nothing to store."""
