"""Fakes of the diagnosis ports: an incident memory that records, a lock, a counting diagnoser."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from argus.domain.analysis import Anomaly, BatchSummary, Diagnosis, Precedent, diagnose_offline


@dataclass
class FakeIncidentMemory:
    """Answers `similar` with fixed precedents; records every call in order."""

    precedents: list[Precedent] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    remembered: list[tuple[str, Diagnosis]] = field(default_factory=list)

    async def similar(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        k: int,
    ) -> list[Precedent]:
        self.calls.append("similar")
        return [p for p in self.precedents if p.batch_id != batch_id][:k]

    async def remember(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        diagnosis: Diagnosis,
    ) -> None:
        self.calls.append("remember")
        self.remembered.append((batch_id, diagnosis))


class FakeDiagnosisLock:
    """One asyncio lock per batch: serialises callers within one process."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def hold(self, batch_id: str) -> AsyncIterator[None]:
        async with self._locks.setdefault(batch_id, asyncio.Lock()):
            yield


@dataclass
class CountingDiagnoser:
    """The rules, counting calls and the precedents each call got; yields so callers overlap."""

    calls: int = 0
    seen_precedents: list[tuple[Precedent, ...]] = field(default_factory=list)

    async def diagnose(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        precedents: Sequence[Precedent] = (),
    ) -> Diagnosis:
        self.calls += 1
        self.seen_precedents.append(tuple(precedents))
        await asyncio.sleep(0)
        return diagnose_offline(summary=summary, anomalies=anomalies)


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
