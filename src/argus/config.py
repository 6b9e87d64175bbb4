"""The one settings tree: a section per adapter, read from `ARGUS_*` variables once, at start.

Every default lives here and nowhere else; adapters take explicit values. Nothing else in
`src/` reads the environment (child processes get theirs passed on)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from argus.domain.analysis.corrections import FOLLOW_SIMILARITY
from argus.infrastructure.embedded.settings import InfraSettings
from argus.infrastructure.embeddings.settings import EmbeddingSettings
from argus.infrastructure.kafka.settings import KafkaSettings
from argus.infrastructure.s3.settings import S3Settings
from argus.interfaces.http.settings import AuthSettings, BrowserSettings, LimitsSettings


class AppSettings(BaseSettings):
    """The process and its HTTP API: where data lives and how the API listens."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_")

    data_dir: Path = Path("var")
    log_level: str = "INFO"
    # Loopback unless asked: ARGUS_HTTP_HOST=0.0.0.0 serves every interface.
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    # The distributed ingestor's port; the embedded mode serves everything on http_port.
    ingest_port: int = Field(default=8081, ge=1, le=65535)
    # HTTP processes per port sharing its socket (one per usable core, ≤ 64); their server (0031).
    http_workers: int = Field(
        default_factory=lambda: min(64, len(os.sched_getaffinity(0))), ge=1, le=64
    )
    http_server: Literal["uvicorn", "granian"] = "uvicorn"
    max_upload_bytes: int = Field(default=20 << 30, gt=0)
    # Finished reports kept per API process, re-checked in Redis after fresh_s (decision 0030).
    report_memory_bytes: int = Field(default=64 << 20, ge=0)
    report_memory_fresh_s: float = Field(default=2.0, ge=0)


class PostgresSettings(BaseSettings):
    """`url` unset → the embedded server under `data_dir/postgres`."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_PG_")

    url: str | None = None
    pool_min: int = Field(default=2, ge=1)
    pool_max: int = Field(default=20, ge=1)


class RedisSettings(BaseSettings):
    """`url` unset → the embedded server under `data_dir/redis`."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_REDIS_")

    url: str | None = None
    # Blocking SSE reads hold a connection each; other callers queue for the rest.
    max_connections: int = Field(default=256, ge=1)
    report_ttl_s: int = Field(default=600, ge=1)
    report_lease_ms: int = Field(default=5000, ge=10)  # a dead reader blocks others this long
    barrier_ttl_s: int = Field(default=24 * 3600, ge=1)
    progress_ttl_s: int = Field(default=24 * 3600, ge=1)


class EmbeddedSettings(BaseSettings):
    """Ports and durability of the child-process servers of the embedded mode."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_EMBEDDED_")

    # Unset: a free loopback port, chosen on first start, kept in the data dir. Set: must be free.
    pg_port: int | None = Field(default=None, ge=1, le=65535)
    redis_port: int | None = Field(default=None, ge=1, le=65535)
    # Off only for throw-away test clusters: fsync=off and no AOF.
    durable: bool = True


class BusSettings(BaseSettings):
    """Delivery of the event bus: retries, dead-lettering and consumer tuning."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_BUS_")

    block_ms: int = Field(default=1000, ge=1)
    claim_idle_ms: int = Field(default=30_000, ge=1)
    # A message delivered this often without an acknowledgement is dead-lettered.
    max_deliveries: int = Field(default=5, ge=1)
    retry_max_attempts: int = Field(default=4, ge=1)
    retry_backoff_s: float = Field(default=0.5, ge=0)
    retry_max_backoff_s: float = Field(default=10.0, gt=0)
    # Events the orchestrator handles at once.
    consumer_concurrency: int = Field(default=8, ge=1)


class BlobSettings(BaseSettings):
    """`local` (files under `root`, default `data_dir/blobs`) or `s3` (the `ARGUS_S3_*` section)."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_BLOB_")

    backend: Literal["local", "s3"] = "local"
    root: Path | None = None


class ParserSettings(BaseSettings):
    """Parser worker processes: how many, and how each one parses."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_PARSER_")

    # Worker processes the embedded mode supervises.
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    # Threads decompressing one file's chunks in a native parser; unset: one per usable core.
    threads: int | None = Field(default=None, ge=1, le=64)
    # Files one worker parses at once (parsing is CPU-bound: one per process).
    concurrency: int = Field(default=1, ge=1)
    # A parser only publishes and beats its heart: a small pool is plenty.
    redis_max_connections: int = Field(default=8, ge=1)


class GatherSettings(BaseSettings):
    """The aggregator (gather) and the agent (diagnosis)."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_GATHER_", populate_by_name=True)

    top_k: int = Field(default=10, ge=1, le=100, validation_alias="ARGUS_TOP_K")
    aggregator_concurrency: int = Field(default=2, ge=1)
    agent_concurrency: int = Field(default=4, ge=1)


class RetrievalSettings(BaseSettings):
    """Similar past incidents (pgvector) for the diagnosis: how many, from which fleet."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_RETRIEVAL_", populate_by_name=True)

    # Precedents a diagnosis is given.
    k: int = Field(default=3, ge=0, le=20)
    # Nearest neighbours fetched before reviewed ones are ranked first.
    candidates: int = Field(default=10, ge=1, le=200)
    # Neighbours less similar than this (cosine similarity) are not precedents.
    min_similarity: float = Field(default=0.5, ge=-1.0, le=1.0)
    # An engineer's correction of a past incident this similar outweighs the rules
    # (argus.domain.analysis.corrections; the default is calibrated for `hashed`).
    follow_similarity: float = Field(default=FOLLOW_SIMILARITY, ge=0.0, le=1.0)
    # Retrieval uses the diagnosed batch's fleet; this one only for a batch whose row is gone.
    fleet_id: str = Field(default="default", min_length=1, validation_alias="ARGUS_FLEET_ID")
    # "hashed", "minilm" (the `embed` extra) or "openai"; docs/architecture/retrieval.md#embedders.
    embedder: Literal["hashed", "minilm", "openai"] = Field(
        default="hashed", validation_alias="ARGUS_EMBEDDER"
    )
    # onnxruntime threads of the minilm embedder (it runs beside the rest of the agent).
    embedder_threads: int = Field(default=1, ge=1, le=64)


class DiagnosisSettings(BaseSettings):
    """Which diagnoser the agent runs and its prompt token budget (precedents: `retrieval`)."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_DIAGNOSIS_", populate_by_name=True)

    engine: Literal["rules", "llm"] = Field(default="rules", validation_alias="ARGUS_DIAGNOSER")
    # Prompt tokens per model request, counted before sending (docs/architecture/diagnosis.md).
    token_budget: int = Field(default=4000, ge=1000, le=1_000_000)
    # "bytes": one token per UTF-8 byte, a bound for every byte-level BPE model; an OpenAI
    # encoding counts exactly for the models that use it (needs the `tokens` extra); "server":
    # the llama.cpp server at ARGUS_LLM_URL counts (its /tokenize), else the byte bound.
    tokenizer: Literal["bytes", "cl100k_base", "o200k_base", "server"] = "bytes"


class LlmSettings(BaseSettings):
    """The OpenAI-compatible chat endpoint of `ARGUS_DIAGNOSER=llm` (vLLM, llama.cpp, OpenAI)."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_LLM_")

    url: str  # http://127.0.0.1:8000 or …/v1: /v1/chat/completions is completed as needed
    model: str = "default"
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    backoff_s: float = Field(default=0.5, ge=0)
    max_completion_tokens: int = Field(default=800, ge=64)


class JanitorSettings(BaseSettings):
    """The sweep that fails abandoned uploads."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_JANITOR_", populate_by_name=True)

    interval_s: float = Field(default=300.0, gt=0)
    # A pending batch with no upload for this long is failed and its files deleted.
    upload_ttl_s: int = Field(default=24 * 3600, ge=1, validation_alias="ARGUS_UPLOAD_TTL_S")


def _s3_when_chosen(data: dict[str, Any]) -> S3Settings | None:
    # Only a process that stores blobs on S3 needs (and validates) the S3 section.
    blob: BlobSettings = data["blob"]
    return S3Settings() if blob.backend == "s3" else None


def _llm_when_chosen(data: dict[str, Any]) -> LlmSettings | None:
    # Only the llm diagnoser needs (and validates) the LLM section: ARGUS_LLM_URL is required.
    diagnosis: DiagnosisSettings = data["diagnosis"]
    return LlmSettings() if diagnosis.engine == "llm" else None


def _embedding_when_chosen(data: dict[str, Any]) -> EmbeddingSettings | None:
    # Only the openai embedder needs the endpoint: ARGUS_EMBEDDING_URL is required then.
    retrieval: RetrievalSettings = data["retrieval"]
    return EmbeddingSettings() if retrieval.embedder == "openai" else None


class Settings(BaseSettings):
    """Every section, each read from its own `ARGUS_*` variables."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_")

    app: AppSettings = Field(default_factory=AppSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    browser: BrowserSettings = Field(default_factory=BrowserSettings)
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    embedded: EmbeddedSettings = Field(default_factory=EmbeddedSettings)
    bus: BusSettings = Field(default_factory=BusSettings)
    blob: BlobSettings = Field(default_factory=BlobSettings)
    s3: S3Settings | None = Field(default_factory=_s3_when_chosen)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    parser: ParserSettings = Field(default_factory=ParserSettings)
    gather: GatherSettings = Field(default_factory=GatherSettings)
    diagnosis: DiagnosisSettings = Field(default_factory=DiagnosisSettings)
    llm: LlmSettings | None = Field(default_factory=_llm_when_chosen)
    janitor: JanitorSettings = Field(default_factory=JanitorSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    embedding: EmbeddingSettings | None = Field(default_factory=_embedding_when_chosen)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    infra: InfraSettings = Field(default_factory=InfraSettings)

    @property
    def blob_root(self) -> Path:
        return self.blob.root or self.app.data_dir / "blobs"


class SettingsError(Exception):
    """Invalid or missing settings, said in one line that names the variables."""


def load_settings() -> Settings:
    """Read and validate every section; a bad value raises `SettingsError`."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from exc


def describe(exc: ValidationError) -> str:
    """`ARGUS_S3_ENDPOINT_URL: Field required; …` from a section's validation error."""
    section = _SECTIONS.get(exc.title)
    parts = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"])
        if section is not None and error["loc"]:
            name = env_name(section, str(error["loc"][0]))
        parts.append(f"{name}: {error['msg']}")
    return "; ".join(parts)


def env_name(section: type[BaseSettings], field: str) -> str:
    """The variable a section's field is read from (an alias wins over the prefix)."""
    if field not in section.model_fields:
        return field  # already the variable: an alias
    alias = section.model_fields[field].validation_alias
    if isinstance(alias, str):
        return alias
    prefix = str(section.model_config.get("env_prefix", ""))
    return f"{prefix}{field}".upper()


_SECTIONS: dict[str, type[BaseSettings]] = {
    cls.__name__: cls
    for cls in (
        AppSettings,
        LimitsSettings,
        BrowserSettings,
        PostgresSettings,
        RedisSettings,
        EmbeddedSettings,
        BusSettings,
        BlobSettings,
        S3Settings,
        KafkaSettings,
        ParserSettings,
        GatherSettings,
        DiagnosisSettings,
        LlmSettings,
        JanitorSettings,
        RetrievalSettings,
        AuthSettings,
        EmbeddingSettings,
        InfraSettings,
    )
}
