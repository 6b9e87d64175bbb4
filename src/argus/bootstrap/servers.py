"""Where a process finds PostgreSQL and Redis: the `ARGUS_*_URL` settings, or else the
embedded servers of `ARGUS_DATA_DIR`, whose ports and passwords their last start recorded."""

from __future__ import annotations

from argus.config import Settings, SettingsError
from argus.infrastructure.embedded.process import StartError
from argus.infrastructure.embedded.stack import EmbeddedStack


def embedded_stack(settings: Settings) -> EmbeddedStack:
    """The embedded servers of `ARGUS_DATA_DIR`, as `settings.embedded` configures them."""
    return EmbeddedStack(
        settings.app.data_dir,
        pg_port=settings.embedded.pg_port,
        redis_port=settings.embedded.redis_port,
        durable=settings.embedded.durable,
    )


def server_urls(settings: Settings) -> tuple[str, str]:
    """(PostgreSQL DSN, Redis URL) for a command that talks to a running `argus serve`
    (or to the distributed mode's servers when their URLs are set); passwords included."""
    pg_url, redis_url = settings.postgres.url, settings.redis.url
    if pg_url is not None and redis_url is not None:
        return pg_url, redis_url
    try:
        embedded_pg, embedded_redis = embedded_stack(settings).urls()
    except StartError as exc:
        raise SettingsError(
            f"ARGUS_PG_URL and ARGUS_REDIS_URL are unset and {exc} "
            f"(ARGUS_DATA_DIR={settings.app.data_dir}): run `argus serve` first"
        ) from exc
    return pg_url or embedded_pg, redis_url or embedded_redis
