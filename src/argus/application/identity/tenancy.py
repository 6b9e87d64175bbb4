"""Incident memory per tenant: precedents come from the fleet of the batch being diagnosed."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from argus.application.diagnosis.ports import IncidentMemory
from argus.application.identity.guards import OwnerLookup
from argus.domain.analysis import Anomaly, BatchSummary, Diagnosis, Precedent


class FleetScopedMemory:
    """The IncidentMemory port over one memory per fleet, chosen by the batch's owner.

    `fallback_fleet` (ARGUS_FLEET_ID) serves a batch whose row is gone."""

    def __init__(
        self,
        *,
        owners: OwnerLookup,
        memory_of: Callable[[str], IncidentMemory],
        fallback_fleet: str,
    ) -> None:
        self._owners = owners
        self._memory_of = memory_of
        self._fallback = fallback_fleet
        self._memories: dict[str, IncidentMemory] = {}

    async def _memory(self, batch_id: str) -> IncidentMemory:
        owner = await self._owners(batch_id)
        fleet = self._fallback if owner is None else owner.fleet_id
        if fleet not in self._memories:
            self._memories[fleet] = self._memory_of(fleet)
        return self._memories[fleet]

    async def similar(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        k: int,
    ) -> list[Precedent]:
        memory = await self._memory(batch_id)
        return await memory.similar(
            batch_id=batch_id, vehicle_id=vehicle_id, summary=summary, anomalies=anomalies, k=k
        )

    async def remember(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        diagnosis: Diagnosis,
    ) -> None:
        memory = await self._memory(batch_id)
        await memory.remember(
            batch_id=batch_id,
            vehicle_id=vehicle_id,
            summary=summary,
            anomalies=anomalies,
            diagnosis=diagnosis,
        )
