"""The diagnoser port: from a batch summary and its Top-K anomalies to one diagnosis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from argus.domain.analysis import Anomaly, BatchSummary, Diagnosis, Precedent

__all__ = ["Diagnoser", "IncidentMemory"]


class Diagnoser(Protocol):
    """Explains a batch: suspected component, root cause, severity, evidence and actions.

    `anomalies` is the Top-K from gather, highest score first; `Diagnosis.related_anomalies`
    index into it. Async so that an engine may call out (an LLM with pgvector retrieval);
    the offline rules are `argus.domain.analysis.RuleBasedDiagnoser`.
    """

    async def diagnose(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        precedents: Sequence[Precedent] = (),
    ) -> Diagnosis:
        """Diagnose one batch; `precedents` are similar past incidents, most similar first."""
        ...


class IncidentMemory(Protocol):
    """Past diagnoses searchable by similarity (pgvector), with engineers' feedback.

    Implementations embed the batch's signature (components, anomaly kinds, log templates)
    behind their own embedding port; the application only asks and remembers.
    """

    async def similar(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        k: int,
    ) -> list[Precedent]:
        """Up to `k` past incidents of the same fleet, reviewed ones first, never `batch_id`."""
        ...

    async def remember(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        diagnosis: Diagnosis,
    ) -> None:
        """Store the signature of a diagnosed batch so later batches can find it."""
        ...
