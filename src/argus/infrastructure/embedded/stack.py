"""The embedded mode's backing services: PostgreSQL and Redis as child processes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from argus.config import EmbeddedSettings
from argus.infrastructure.embedded.postgres_server import EmbeddedPostgres
from argus.infrastructure.embedded.redis_server import EmbeddedRedis


@dataclass
class EmbeddedStack:
    """Starts both servers under `data_dir`; they end with the app."""

    data_dir: Path
    settings: EmbeddedSettings = field(default_factory=EmbeddedSettings)

    def __post_init__(self) -> None:
        self.postgres = EmbeddedPostgres(
            self.data_dir.resolve() / "postgres" / "data",
            self.settings.pg_port,
            durable=self.settings.durable,
        )
        self.redis = EmbeddedRedis(
            self.data_dir.resolve() / "redis",
            self.settings.redis_port,
            appendonly=self.settings.durable,
        )

    def start(self) -> tuple[str, str]:
        """Start both; returns (PostgreSQL DSN, Redis URL)."""
        self.postgres.start()
        try:
            self.redis.start()
        except BaseException:
            self.postgres.stop()
            raise
        return self.postgres.dsn, self.redis.url

    def stop(self) -> None:
        self.redis.stop()
        self.postgres.stop()
