"""Connecting a process to its servers: the bus and blob store, then PostgreSQL and Redis."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from argus.application.delivery import DeliveryPolicy
from argus.application.ports import BlobStore, EventBus
from argus.config import Settings, SettingsError
from argus.infrastructure.blob.localfs import LocalFsBlobStore
from argus.infrastructure.kafka.bus import KafkaEventBus
from argus.infrastructure.postgres.batch_repository import PostgresBatchRepository
from argus.infrastructure.postgres.database import create_pool, migrate
from argus.infrastructure.postgres.report_repository import PostgresReportRepository
from argus.infrastructure.postgres.rows import init_connection
from argus.infrastructure.redis.barrier import RedisBarrier
from argus.infrastructure.redis.delivery_counter import RedisDeliveryCounter
from argus.infrastructure.redis.progress import RedisProgressChannel
from argus.infrastructure.redis.report_cache import RedisReportCache
from argus.infrastructure.redis.stream_consumer import ConsumerTuning
from argus.infrastructure.redis.streams_bus import RedisStreamsBus
from argus.infrastructure.s3.blob_store import S3BlobStore


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    """How every consumer retries, gives up on and dead-letters a message."""
    return DeliveryPolicy(
        max_attempts=settings.bus.retry_max_attempts,
        backoff_s=settings.bus.retry_backoff_s,
        max_backoff_s=settings.bus.retry_max_backoff_s,
        max_deliveries=settings.bus.max_deliveries,
    )


@dataclass
class Messaging:
    """What every role needs: the event bus and the blob store (Redis when there is one)."""

    settings: Settings
    redis: Redis | None
    bus: EventBus
    blobs: BlobStore
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        for close in reversed(self.closers):
            await close()
        if self.redis is not None:
            await self.redis.aclose()


async def connect_messaging(
    settings: Settings, *, redis_url: str | None, max_connections: int
) -> Messaging:
    """Connect the bus and the blob store only (a parser worker needs no PostgreSQL)."""
    redis = None if redis_url is None else redis_client(redis_url, max_connections=max_connections)
    closers: list[Callable[[], Awaitable[None]]] = []
    try:
        bus = await event_bus(settings, redis, closers)
        blobs = await blob_store(settings, closers)
    except BaseException:
        for close in reversed(closers):
            await close()
        if redis is not None:
            await redis.aclose()
        raise
    return Messaging(settings=settings, redis=redis, bus=bus, blobs=blobs, closers=closers)


@dataclass
class Adapters:
    """Connected adapters of one process; `close()` releases them."""

    settings: Settings
    pg_url: str
    pool: asyncpg.Pool
    redis: Redis
    batches: PostgresBatchRepository
    reports: PostgresReportRepository
    blobs: BlobStore
    bus: EventBus
    barrier: RedisBarrier
    cache: RedisReportCache
    progress: RedisProgressChannel
    messaging: Messaging

    async def close(self) -> None:
        await self.messaging.close()
        await self.pool.close()


async def connect(
    settings: Settings, *, pg_url: str, redis_url: str, run_migrations: bool
) -> Adapters:
    """Connect to PostgreSQL and Redis and build the adapters over them."""
    pool = await create_pool(
        pg_url,
        min_size=settings.postgres.pool_min,
        max_size=settings.postgres.pool_max,
        init=init_connection,
    )
    if run_migrations:
        await migrate(pool)
    messaging = await connect_messaging(
        settings, redis_url=redis_url, max_connections=settings.redis.max_connections
    )
    redis, bus, blobs = messaging.redis, messaging.bus, messaging.blobs
    assert redis is not None  # connected from redis_url
    return Adapters(
        settings=settings,
        pg_url=pg_url,
        pool=pool,
        redis=redis,
        batches=PostgresBatchRepository(pool),
        reports=PostgresReportRepository(pool),
        blobs=blobs,
        bus=bus,
        barrier=RedisBarrier(redis, ttl_s=settings.redis.barrier_ttl_s),
        cache=RedisReportCache(redis, ttl_s=settings.redis.report_ttl_s),
        progress=RedisProgressChannel(redis, ttl_s=settings.redis.progress_ttl_s),
        messaging=messaging,
    )


async def event_bus(
    settings: Settings, redis: Redis | None, closers: list[Callable[[], Awaitable[None]]]
) -> EventBus:
    """Kafka when `ARGUS_KAFKA_BOOTSTRAP` is set, else Redis Streams."""
    if settings.kafka.bootstrap is not None:
        # With Redis at hand, deliveries are counted so a message that keeps crashing its
        # consumer is dead-lettered (Kafka itself keeps no such count).
        counter = None if redis is None else RedisDeliveryCounter(redis)
        kafka = KafkaEventBus(settings.kafka, deliveries=counter)
        await kafka.start()
        closers.append(kafka.close)
        return kafka
    if redis is None:
        raise ValueError(
            "the Redis Streams bus needs ARGUS_REDIS_URL (or set ARGUS_KAFKA_BOOTSTRAP)"
        )
    tuning = ConsumerTuning(
        block_ms=settings.bus.block_ms, claim_idle_ms=settings.bus.claim_idle_ms
    )
    return RedisStreamsBus(redis, tuning=tuning)


async def blob_store(settings: Settings, closers: list[Callable[[], Awaitable[None]]]) -> BlobStore:
    """S3/MinIO when `ARGUS_BLOB_BACKEND=s3` (settings from `ARGUS_S3_*`), else local files."""
    if settings.blob.backend == "local":
        return LocalFsBlobStore(settings.blob_root)
    if settings.s3 is None:
        raise SettingsError("ARGUS_BLOB_BACKEND=s3 needs the ARGUS_S3_* settings")
    store = S3BlobStore(settings.s3)
    await store.open()
    closers.append(store.close)
    await store.ensure_bucket()
    return store


_REDIS_RETRIES = 3


def redis_client(url: str, *, max_connections: int) -> Redis:
    """A client whose pool makes callers wait for a free connection instead of failing:
    a burst of readers queues for a moment rather than erroring out."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=10,
        socket_timeout=30,
        socket_connect_timeout=10,
        health_check_interval=30,
        # A pooled connection may have been closed by a Redis restart since its last use: the
        # command is sent again on a fresh connection instead of failing its caller.
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), _REDIS_RETRIES),
    )
    return Redis.from_pool(pool)  # the client owns the pool: aclose() closes it
