"""Settings of the `/v1/embeddings` embedder (`ARGUS_EMBEDDING_*`, with `ARGUS_EMBEDDER=openai`)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class EmbeddingSettings(BaseSettings):
    """The OpenAI-compatible `/v1/embeddings` endpoint of `ARGUS_EMBEDDER=openai`."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_EMBEDDING_")

    url: str  # http://127.0.0.1:8000 or …/v1: /v1/embeddings is completed as needed
    model: str = "default"
    api_key: SecretStr | None = None
    # Must equal the pgvector column's width (384); sent as `dimensions`, checked per answer.
    dimensions: int = Field(default=384, ge=1)
    timeout_s: float = Field(default=30.0, gt=0)
