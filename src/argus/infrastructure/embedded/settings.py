"""The settings section of `argus infra postgres|redis` (`ARGUS_INFRA_*`): the embedded
server classes run detached, for a distributed deployment's own servers."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class InfraSettings(BaseSettings):
    """`argus infra postgres|redis`: the distributed mode's local servers."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_INFRA_")

    pg_dir: Path = Path("var/infra/postgres")
    pg_port: int = Field(default=5432, ge=1, le=65535)
    redis_dir: Path = Path("var/infra/redis")
    redis_port: int = Field(default=6379, ge=1, le=65535)
