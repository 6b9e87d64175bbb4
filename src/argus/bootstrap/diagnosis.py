"""The diagnosis: rules or model, incident memory (pgvector) and engineer feedback."""

from __future__ import annotations

from argus.application.diagnosis.embedding import Embedder
from argus.application.diagnosis.llm_diagnoser import LlmDiagnoser
from argus.application.diagnosis.ports import Diagnoser, IncidentMemory, TokenCounter
from argus.application.diagnosis.tokens import ByteBoundCounter
from argus.application.feedback import FeedbackService
from argus.application.gathering import DiagnoseHandler
from argus.application.identity.guards import OwnerLookup
from argus.application.identity.tenancy import FleetScopedMemory
from argus.bootstrap.connect import Adapters
from argus.config import Settings
from argus.domain.analysis import RuleBasedDiagnoser
from argus.infrastructure.embeddings.hashed import HashedSignatureEmbedder
from argus.infrastructure.llm import OpenAiChatModel, TiktokenCounter
from argus.infrastructure.postgres.diagnosis_lock import PostgresDiagnosisLock
from argus.infrastructure.postgres.feedback_repository import PostgresFeedbackRepository
from argus.infrastructure.postgres.incident_memory import PostgresIncidentMemory


def diagnose_handler(a: Adapters) -> DiagnoseHandler:
    """The rules, or the model when `ARGUS_DIAGNOSER=llm`; precedents from pgvector."""
    settings, llm, tokenizer = a.settings, a.settings.llm, a.settings.diagnosis.tokenizer
    diagnoser: Diagnoser = RuleBasedDiagnoser()
    if llm is not None:
        key = None if llm.api_key is None else llm.api_key.get_secret_value()
        chat = OpenAiChatModel(
            url=llm.url,
            model=llm.model,
            api_key=key,
            timeout_s=llm.timeout_s,
            max_retries=llm.max_retries,
            backoff_s=llm.backoff_s,
            max_completion_tokens=llm.max_completion_tokens,
        )
        counter: TokenCounter = (
            ByteBoundCounter() if tokenizer == "bytes" else TiktokenCounter(tokenizer)
        )
        budget = settings.diagnosis.token_budget
        diagnoser = LlmDiagnoser(model=chat, counter=counter, token_budget=budget)
    return DiagnoseHandler(
        reports=a.reports,
        diagnoser=diagnoser,
        memory=incident_memory(a),
        lock=PostgresDiagnosisLock(a.pool),
        precedents_k=settings.retrieval.k,
    )


def embedder(settings: Settings) -> Embedder:
    """The signature embedder (`ARGUS_EMBEDDER`); `hashed` needs no model."""
    return HashedSignatureEmbedder()


def incident_memory(a: Adapters) -> IncidentMemory:
    """Similar past incidents of the diagnosed batch's fleet, from pgvector (fleets are
    tenants; ARGUS_FLEET_ID only for a batch whose row is gone)."""
    retrieval = a.settings.retrieval
    return FleetScopedMemory(
        owners=OwnerLookup(a.batches),
        memory_of=lambda fleet: PostgresIncidentMemory(
            a.pool,
            embedder=embedder(a.settings),
            fleet_id=fleet,
            candidates=retrieval.candidates,
            min_similarity=retrieval.min_similarity,
        ),
        fallback_fleet=retrieval.fleet_id,
    )


def feedback_service(a: Adapters) -> FeedbackService:
    return FeedbackService(feedback=PostgresFeedbackRepository(a.pool), cache=a.cache)
