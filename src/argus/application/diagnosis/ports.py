"""The diagnoser port: from a batch summary and its Top-K anomalies to one diagnosis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from argus.domain.report import Anomaly, Diagnosis

__all__ = ["Diagnoser"]


class Diagnoser(Protocol):
    """Explains a batch: suspected component, root cause, severity, evidence and actions.

    `anomalies` is the Top-K from gather, highest score first; `Diagnosis.related_anomalies`
    index into it. Implementations: offline rules now, an LLM with pgvector retrieval later.
    """

    async def diagnose(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: dict[str, Any],
        anomalies: Sequence[Anomaly],
    ) -> Diagnosis:
        """Diagnose one batch."""
        ...
