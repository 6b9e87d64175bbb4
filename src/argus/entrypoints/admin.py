"""PostgreSQL for the admin commands (`argus fleet|vehicle|token|audit`), in both modes.

With `ARGUS_PG_URL` the commands connect to it. In the embedded mode they use the data dir's
server: the one `argus serve` is running, or, when none runs, one started for the command and
stopped after it. The DSN comes from the same place `argus serve` gets it (no DSN is built
here), so the admin commands follow the embedded server wherever it listens.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from argus import bootstrap
from argus.application.identity import IdentityAdmin
from argus.bootstrap import embedded_stack
from argus.config import Settings
from argus.infrastructure.embedded.postgres_server import EmbeddedPostgres
from argus.infrastructure.postgres.database import create_pool, migrate
from argus.infrastructure.postgres.identity_repository import PostgresAuditLog


@dataclass(frozen=True)
class AdminSession:
    admin: IdentityAdmin
    audit: PostgresAuditLog


@asynccontextmanager
async def admin_session(settings: Settings) -> AsyncIterator[AdminSession]:
    """Identity administration over the deployment's PostgreSQL, migrated."""
    async with _postgres_url(settings) as url:
        pool = await create_pool(url, min_size=1, max_size=2)
        try:
            await migrate(pool)
            yield AdminSession(
                admin=bootstrap.identity_admin(pool), audit=bootstrap.audit_log(pool)
            )
        finally:
            await pool.close()


@asynccontextmanager
async def _postgres_url(settings: Settings) -> AsyncIterator[str]:
    if settings.postgres.url is not None:
        yield settings.postgres.url
        return
    postgres = embedded_stack(settings).postgres
    if _running(postgres):
        yield postgres.dsn
        return
    await asyncio.to_thread(postgres.start)
    try:
        yield postgres.dsn
    finally:
        await asyncio.to_thread(postgres.stop)


def _running(postgres: EmbeddedPostgres) -> bool:
    """True when the data dir's server runs (started by `argus serve`, or another command)."""
    try:
        pid = int((postgres.data_dir / "postmaster.pid").read_text().splitlines()[0])
    except (FileNotFoundError, PermissionError, ValueError, IndexError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by the unprivileged server user
        return True
    return True
