"""The HTTP API's sections of the settings tree (`argus.config` assembles them): request
limits, browser rules and bearer tokens. Read from `ARGUS_LIMITS_*`, `ARGUS_CORS_ORIGINS` and
`ARGUS_AUTH_*`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

KiB = 1 << 10
MiB = 1 << 20
GiB = 1 << 30


class LimitsSettings(BaseSettings):
    """Request limits (OWASP API4); why each default: docs/decisions/0026-request-limits.md."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_LIMITS_")

    # Request line plus headers of one request → 431 beyond.
    header_bytes: int = Field(default=16 * KiB, ge=1 * KiB, le=1 * MiB)
    # A request body other than a file upload (JSON) → 413 beyond, before it is read whole.
    json_body_bytes: int = Field(default=64 * KiB, ge=1 * KiB)
    # A request whose head or body sends nothing for this long is cut (408); a connection
    # that sends no request at all is closed.
    request_idle_s: float = Field(default=30.0, gt=0)
    files_per_batch: int = Field(default=100, ge=1)
    batch_bytes: int = Field(default=100 * GiB, gt=0)
    # Pending (not completed) batches one vehicle may have at once.
    open_batches_per_vehicle: int = Field(default=20, ge=1)
    # A token bucket per bearer token (or client address) shared by all replicas; 0: off.
    requests_per_s: float = Field(default=200.0, ge=0)
    request_burst: int = Field(default=1000, ge=1)
    # Tokens a process takes from a caller's shared bucket at once (1: a round trip a request).
    rate_reserve: int = Field(default=10, ge=1)
    # What that reserve may grow to for a caller spending it fast (decision 0039); at most the
    # per-second limit ÷ the HTTP processes of a port, never below rate_reserve.
    rate_reserve_max: int = Field(default=1000, ge=1)
    # Server-Sent-Events streams one token (or client address) may hold open per process.
    sse_streams_per_token: int = Field(default=16, ge=1)


class BrowserSettings(BaseSettings):
    """Browser rules: origins allowed to call the API cross-origin (none by default)."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_")

    # Comma-separated, e.g. `https://dash.example.com,https://ops.example.com`.
    cors_origins: str = ""

    @property
    def origins(self) -> tuple[str, ...]:
        return tuple(o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip())


class AuthSettings(BaseSettings):
    """Bearer tokens (docs/decisions/0025-access-model.md)."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_AUTH_")

    # How long a process trusts a token it looked up: the most a revocation takes to apply.
    token_cache_s: float = Field(default=5.0, ge=0, le=300)
