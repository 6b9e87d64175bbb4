"""The embedded mode's backing services: PostgreSQL and Redis as child processes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from argus.infrastructure.embedded.postgres_server import EmbeddedPostgres
from argus.infrastructure.embedded.redis_server import EmbeddedRedis


@dataclass
class EmbeddedStack:
    """Starts both servers under `data_dir`; they end with the app. Ports unset: free ones,
    recorded in `data_dir` on first start and reused, so data dirs run side by side. Off
    `durable` only for throw-away data (fsync=off, no AOF)."""

    data_dir: Path
    pg_port: int | None
    redis_port: int | None
    durable: bool
    pg_max_connections: int = 200

    def __post_init__(self) -> None:
        self.postgres = EmbeddedPostgres(
            self.data_dir.resolve() / "postgres" / "data",
            self.pg_port,
            durable=self.durable,
            max_connections=self.pg_max_connections,
        )
        self.redis = EmbeddedRedis(
            self.data_dir.resolve() / "redis",
            self.redis_port,
            appendonly=self.durable,
        )

    def start(self) -> tuple[str, str]:
        """Start both; returns (PostgreSQL DSN, Redis URL), passwords included."""
        self.postgres.start()
        try:
            self.redis.start()
        except BaseException:
            self.postgres.stop()
            raise
        return self.urls()

    def urls(self) -> tuple[str, str]:
        """Where the servers of `data_dir` listen, read from what their last start recorded
        (for commands that connect to a running `argus serve`); `StartError` if none yet."""
        return self.postgres.dsn, self.redis.url

    def stop(self) -> None:
        self.redis.stop()
        self.postgres.stop()
