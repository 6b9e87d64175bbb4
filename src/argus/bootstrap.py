"""Composition root: the one place that picks adapters and wires them to use cases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import asyncpg
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from argus.application.gathering import DiagnoseHandler, GatherHandler
from argus.application.ingest import IngestLimits, IngestService
from argus.application.janitor import Janitor
from argus.application.orchestrator import Orchestrator
from argus.application.outbox_relay import OutboxRelay
from argus.application.ports import BlobStore, EventBus, RetryPolicy
from argus.application.progress import ProgressProjector
from argus.application.progress_feed import ProgressFeed
from argus.application.queries import ReportQuery
from argus.config import AppSettings, BlobSettings, BusSettings, PostgresSettings, RedisSettings
from argus.domain.analysis import RuleBasedDiagnoser
from argus.infrastructure.blob.localfs import LocalFsBlobStore
from argus.infrastructure.kafka.bus import KafkaEventBus
from argus.infrastructure.kafka.settings import KafkaSettings
from argus.infrastructure.postgres.batch_repository import PostgresBatchRepository
from argus.infrastructure.postgres.database import create_pool, migrate
from argus.infrastructure.postgres.outbox import PostgresOutbox
from argus.infrastructure.postgres.report_repository import PostgresReportRepository
from argus.infrastructure.postgres.rows import init_connection
from argus.infrastructure.redis.barrier import RedisBarrier
from argus.infrastructure.redis.delivery_counter import RedisDeliveryCounter
from argus.infrastructure.redis.progress import RedisProgressChannel
from argus.infrastructure.redis.report_cache import RedisReportCache
from argus.infrastructure.redis.stream_consumer import ConsumerTuning
from argus.infrastructure.redis.streams_bus import RedisStreamsBus
from argus.infrastructure.s3.blob_store import S3BlobStore
from argus.infrastructure.s3.settings import S3Settings
from argus.infrastructure.templates.drain3_miner import Drain3TemplateMiner


@dataclass
class Settings:
    """Every adapter's settings, read from the environment once."""

    app: AppSettings = field(default_factory=AppSettings)
    postgres: PostgresSettings = field(default_factory=PostgresSettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    bus: BusSettings = field(default_factory=BusSettings)
    blob: BlobSettings = field(default_factory=BlobSettings)
    kafka: KafkaSettings = field(default_factory=KafkaSettings)

    @property
    def blob_root(self) -> Path:
        return self.blob.root or self.app.data_dir / "blobs"

    @property
    def retry(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.bus.retry_max_attempts, backoff_s=self.bus.retry_backoff_s
        )


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
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        for close in reversed(self.closers):
            await close()
        await self.pool.close()
        await self.redis.aclose()


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
    redis = redis_client(redis_url, max_connections=settings.redis.max_connections)
    closers: list[Callable[[], Awaitable[None]]] = []
    bus = await event_bus(settings, redis, closers)
    blobs = await blob_store(settings, closers)
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
        closers=closers,
    )


async def event_bus(
    settings: Settings, redis: Redis | None, closers: list[Callable[[], Awaitable[None]]]
) -> EventBus:
    """Kafka when `ARGUS_KAFKA_BOOTSTRAP` is set, else Redis Streams."""
    if settings.kafka.bootstrap is not None:
        # With Redis at hand, deliveries are counted so a message that keeps crashing its
        # consumer is dead-lettered (Kafka itself keeps no such count).
        counter = None if redis is None else RedisDeliveryCounter(redis)
        kafka = KafkaEventBus(
            settings.kafka, deliveries=counter, max_deliveries=settings.bus.max_deliveries
        )
        await kafka.start()
        closers.append(kafka.close)
        return kafka
    if redis is None:
        raise ValueError(
            "the Redis Streams bus needs ARGUS_REDIS_URL (or set ARGUS_KAFKA_BOOTSTRAP)"
        )
    tuning = ConsumerTuning(
        block_ms=settings.bus.block_ms,
        claim_idle_ms=settings.bus.claim_idle_ms,
        max_deliveries=settings.bus.max_deliveries,
    )
    return RedisStreamsBus(redis, tuning=tuning)


async def blob_store(settings: Settings, closers: list[Callable[[], Awaitable[None]]]) -> BlobStore:
    """S3/MinIO when `ARGUS_BLOB_BACKEND=s3` (settings from `ARGUS_S3_*`), else local files."""
    if settings.blob.backend == "local":
        return LocalFsBlobStore(settings.blob_root)
    store = S3BlobStore(S3Settings())  # type: ignore[call-arg]  # every field from the environment
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


def ingest_service(a: Adapters) -> IngestService:
    return IngestService(
        batches=a.batches,
        blobs=a.blobs,
        limits=IngestLimits(max_file_bytes=a.settings.app.max_upload_bytes),
    )


def report_query(a: Adapters) -> ReportQuery:
    return ReportQuery(reports=a.reports, cache=a.cache)


def orchestrator(a: Adapters) -> Orchestrator:
    return Orchestrator(batches=a.batches, barrier=a.barrier)


def gather_handler(a: Adapters) -> GatherHandler:
    return GatherHandler(
        batches=a.batches,
        blobs=a.blobs,
        reports=a.reports,
        template_miner=Drain3TemplateMiner,
        top_k=a.settings.app.top_k,
    )


def diagnose_handler(a: Adapters) -> DiagnoseHandler:
    return DiagnoseHandler(reports=a.reports, diagnoser=RuleBasedDiagnoser())


def progress_projector(a: Adapters) -> ProgressProjector:
    return ProgressProjector(channel=a.progress)


def progress_feed(a: Adapters) -> ProgressFeed:
    return ProgressFeed(channel=a.progress, batches=a.batches)


def janitor(a: Adapters) -> Janitor:
    return Janitor(
        batches=a.batches,
        blobs=a.blobs,
        upload_ttl=timedelta(seconds=a.settings.app.upload_ttl_s),
    )


def outbox_relay(a: Adapters) -> tuple[OutboxRelay, PostgresOutbox]:
    outbox = PostgresOutbox(a.pg_url)
    return OutboxRelay(outbox=outbox, publisher=a.bus), outbox
