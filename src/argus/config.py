"""Typed settings from `ARGUS_*` environment variables, one settings object per adapter."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

GiB = 1 << 30


class AppSettings(BaseSettings):
    """The process as a whole: where data lives and how the API listens."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_")

    data_dir: Path = Path("var")
    http_host: str = "0.0.0.0"
    http_port: int = 8080
    # The distributed ingestor's port; the embedded mode serves everything on http_port.
    ingest_port: int = 8081
    max_upload_bytes: int = Field(default=20 * GiB, gt=0)
    parser_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    # Threads decompressing one file's chunks in a native parser; unset: one per usable core.
    parser_threads: int | None = Field(default=None, ge=1, le=64)
    top_k: int = Field(default=10, ge=1, le=100)
    # A pending batch with no upload for this long is failed and its files deleted (janitor).
    upload_ttl_s: int = Field(default=24 * 3600, ge=1)
    janitor_interval_s: float = Field(default=300.0, gt=0)
    log_level: str = "INFO"


class PostgresSettings(BaseSettings):
    """`url` unset → the embedded server under `data_dir/postgres`."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_PG_")

    url: str | None = None
    pool_min: int = 2
    pool_max: int = 20


class RedisSettings(BaseSettings):
    """`url` unset → the embedded server under `data_dir/redis`."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_REDIS_")

    url: str | None = None
    # Blocking SSE reads hold a connection each; other callers queue for the rest.
    max_connections: int = 256
    report_ttl_s: int = 600
    barrier_ttl_s: int = 24 * 3600
    progress_ttl_s: int = 24 * 3600


class EmbeddedSettings(BaseSettings):
    """Ports and durability of the child-process servers of the embedded mode."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_EMBEDDED_")

    pg_port: int = 54329
    redis_port: int = 63799
    # Off only for throw-away test clusters: fsync=off and no AOF.
    durable: bool = True


class BusSettings(BaseSettings):
    """Delivery tuning of the event bus consumers."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_BUS_")

    block_ms: int = 1000
    claim_idle_ms: int = 30_000
    max_deliveries: int = 5
    retry_max_attempts: int = 4
    retry_backoff_s: float = 0.5
    retry_max_backoff_s: float = 10.0
    consumer_concurrency: int = 8


class BlobSettings(BaseSettings):
    """`local` (files under `root`, default `data_dir/blobs`) or `s3` (ARGUS_S3_* settings)."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_BLOB_")

    backend: Literal["local", "s3"] = "local"
    root: Path | None = None
