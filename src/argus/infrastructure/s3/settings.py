"""Settings of the S3/MinIO blob store, from `ARGUS_S3_*` environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1 << 20
# S3 rules: every part but the last is at least 5 MiB, none exceeds 5 GiB.
MIN_PART_BYTES = 5 * MiB
MAX_PART_BYTES = 5 << 30


class S3Settings(BaseSettings):
    """Where the bucket is and how to talk to it. Endpoint, bucket and keys have no default."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_S3_")

    endpoint_url: str
    bucket: str = Field(min_length=3, max_length=63)
    access_key_id: str
    secret_access_key: SecretStr
    region: str = "us-east-1"
    # MinIO and most self-hosted S3 servers want path-style URLs (no bucket DNS names).
    addressing_style: Literal["path", "virtual", "auto"] = "path"
    connect_timeout_s: float = Field(default=5.0, gt=0)
    # Per socket read, not per request: a slow but moving stream never trips it.
    read_timeout_s: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=3, ge=1)
    # Open readers hold a connection each; size the pool above the parser concurrency.
    max_pool_connections: int = Field(default=32, ge=1)
    part_size_bytes: int = Field(default=8 * MiB, ge=MIN_PART_BYTES, le=MAX_PART_BYTES)
    read_chunk_bytes: int = Field(default=1 * MiB, ge=64 << 10, le=64 * MiB)
