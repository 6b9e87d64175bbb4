"""Where a process finds PostgreSQL and Redis: the `ARGUS_*_URL` settings, or else the
embedded servers of `ARGUS_DATA_DIR`, whose ports and passwords their last start recorded."""

from __future__ import annotations

from argus.config import Settings, SettingsError
from argus.infrastructure.embedded.process import StartError
from argus.infrastructure.embedded.stack import EmbeddedStack

# Connections beyond the pools: each outbox relay's own connection, `argus` commands run
# beside `argus serve` (status, evaluation, infra), an operator's psql.
_SPARE_CONNECTIONS = 40
# PostgreSQL's own default is 100; below this the server is not resized.
_LEAST_MAX_CONNECTIONS = 200


def embedded_max_connections(settings: Settings) -> int:
    """Enough for every pool of `argus serve` at its fullest: each HTTP process (the first one
    also runs the roles) holds a pool of up to `pool_max`, parser workers none. A fixed 200
    was filled by 10 HTTP processes (one per core on a 10-core machine), and the eleventh
    pool's growth then failed requests with "too many clients" under load."""
    pools = settings.app.http_workers * settings.postgres.pool_max
    return max(_LEAST_MAX_CONNECTIONS, pools + _SPARE_CONNECTIONS)


def embedded_stack(settings: Settings) -> EmbeddedStack:
    """The embedded servers of `ARGUS_DATA_DIR`, as `settings.embedded` configures them."""
    return EmbeddedStack(
        settings.app.data_dir,
        pg_port=settings.embedded.pg_port,
        redis_port=settings.embedded.redis_port,
        durable=settings.embedded.durable,
        pg_max_connections=embedded_max_connections(settings),
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
