"""The distributed mode: one role per process (`argus ingestor`, `argus query`, …).

Same catalogue and runner as the embedded mode; each process connects to external
PostgreSQL, Redis, the bus (Kafka when ARGUS_KAFKA_BOOTSTRAP is set) and the blob store, each
with credentials (entrypoints/credentials.py refuses to start without), drains
on SIGTERM, and shows it is alive: HTTP roles on GET /healthz, the others through a Redis key
`argus:health:{role}:{member}`.
"""

from __future__ import annotations

from argus.config import Settings
from argus.entrypoints.credentials import require_credentials
from argus.entrypoints.roles import RoleName
from argus.entrypoints.runner import run


async def run_role(settings: Settings, role: RoleName, *, port: int | None = None) -> None:
    """Run one role until SIGTERM/SIGINT; without credentials for its servers, not at all."""
    require_credentials(settings)
    await run(
        settings, {role}, pg_url=settings.postgres.url, redis_url=settings.redis.url, port=port
    )
