"""The diagnoser port: from a batch summary and its Top-K anomalies to one diagnosis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from argus.domain.analysis import Anomaly, BatchSummary, Diagnosis

__all__ = ["Diagnoser"]


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
    ) -> Diagnosis:
        """Diagnose one batch."""
        ...
