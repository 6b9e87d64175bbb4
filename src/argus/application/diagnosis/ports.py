"""The diagnosis ports: diagnoser, incident memory, chat model, token counter, per-batch lock."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from argus.domain.analysis import Anomaly, BatchSummary, Diagnosis, Precedent
from argus.domain.errors import Unavailable

__all__ = [
    "ChatMessage",
    "ChatModel",
    "ChatReply",
    "Diagnoser",
    "DiagnosisLock",
    "IncidentMemory",
    "ModelFailed",
    "TokenCounter",
]


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


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of a chat prompt."""

    role: str  # "system", "user" or "assistant"
    content: str


@dataclass(frozen=True, slots=True)
class ChatReply:
    """A model's answer; token counts are the server's `usage` (None when it gave none)."""

    content: str
    model: str
    prompt_tokens: int | None
    completion_tokens: int | None
    attempts: int  # HTTP requests it took, retries included


class ModelFailed(Unavailable):
    """The model could not answer (after the adapter's bounded retries)."""

    code = "model_failed"

    def __init__(self, message: str, *, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


class ChatModel(Protocol):
    """An OpenAI-compatible chat completion endpoint that answers with JSON."""

    @property
    def name(self) -> str:
        """The model name sent with each request."""
        ...

    async def complete(
        self, messages: Sequence[ChatMessage], *, schema: dict[str, object]
    ) -> ChatReply:
        """One answer constrained to the JSON `schema`; `ModelFailed` when there is none."""
        ...


class TokenCounter(Protocol):
    """How many tokens a text, or a whole chat prompt, costs the model (never fewer)."""

    def count(self, text: str) -> int:
        """Tokens of one text."""
        ...

    def count_messages(self, messages: Sequence[ChatMessage]) -> int:
        """Tokens of a whole prompt, the chat template's per-message overhead included."""
        ...


class DiagnosisLock(Protocol):
    """Serialises the diagnosis of one batch across processes (the model runs once)."""

    def hold(self, batch_id: str) -> AbstractAsyncContextManager[None]:
        """Held while one caller checks, diagnoses and stores the batch."""
        ...
