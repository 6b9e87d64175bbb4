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
from argus.application.report_memory import ReportMemory
from argus.bootstrap.connect import Adapters
from argus.config import Settings
from argus.domain.analysis import RuleBasedDiagnoser
from argus.infrastructure.embeddings.hashed import HashedSignatureEmbedder
from argus.infrastructure.embeddings.minilm import MiniLmEmbedder
from argus.infrastructure.embeddings.openai_embeddings import OpenAiEmbedder
from argus.infrastructure.llm import OpenAiChatModel, TiktokenCounter
from argus.infrastructure.llm.server_counter import ServerTokenCounter
from argus.infrastructure.postgres.diagnosis_lock import PostgresDiagnosisLock
from argus.infrastructure.postgres.feedback_repository import PostgresFeedbackRepository
from argus.infrastructure.postgres.incident_memory import PostgresIncidentMemory


def diagnose_handler(a: Adapters) -> DiagnoseHandler:
    """The rules, or the model when `ARGUS_DIAGNOSER=llm`; precedents from pgvector."""
    settings, llm, tokenizer = a.settings, a.settings.llm, a.settings.diagnosis.tokenizer
    follow = settings.retrieval.follow_similarity
    diagnoser: Diagnoser = RuleBasedDiagnoser(follow_similarity=follow)
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
        counter = token_counter(tokenizer, url=llm.url, api_key=key)
        budget = settings.diagnosis.token_budget
        diagnoser = LlmDiagnoser(
            model=chat, counter=counter, token_budget=budget, follow_similarity=follow
        )
    return DiagnoseHandler(
        reports=a.reports,
        diagnoser=diagnoser,
        memory=incident_memory(a),
        lock=PostgresDiagnosisLock(a.pool),
        precedents_k=settings.retrieval.k,
    )


def token_counter(tokenizer: str, *, url: str, api_key: str | None) -> TokenCounter:
    """`ARGUS_DIAGNOSIS_TOKENIZER`: the byte bound, a tiktoken encoding, or the model's server."""
    if tokenizer == "bytes":
        return ByteBoundCounter()
    if tokenizer == "server":
        return ServerTokenCounter(url=url, api_key=api_key)
    return TiktokenCounter(tokenizer)


def embedder(settings: Settings) -> Embedder:
    """The signature embedder (`ARGUS_EMBEDDER`); `hashed` needs no model."""
    retrieval, endpoint = settings.retrieval, settings.embedding
    if retrieval.embedder == "minilm":
        return MiniLmEmbedder(threads=retrieval.embedder_threads)
    if endpoint is not None:  # ARGUS_EMBEDDER=openai
        key = None if endpoint.api_key is None else endpoint.api_key.get_secret_value()
        return OpenAiEmbedder(
            url=endpoint.url,
            model=endpoint.model,
            api_key=key,
            dimensions=endpoint.dimensions,
            timeout_s=endpoint.timeout_s,
        )
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


def feedback_service(a: Adapters, memory: ReportMemory | None = None) -> FeedbackService:
    return FeedbackService(
        feedback=PostgresFeedbackRepository(a.pool), cache=a.cache, memory=memory
    )
