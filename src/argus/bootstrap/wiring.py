"""Use cases wired to the connected adapters (one factory per use case)."""

from __future__ import annotations

import logging
from datetime import timedelta

from argus.application.gathering import GatherHandler
from argus.application.ingest import IngestLimits, IngestService
from argus.application.janitor import Janitor
from argus.application.orchestrator import Orchestrator
from argus.application.outbox_relay import OutboxRelay
from argus.application.parsing import ParseFileHandler
from argus.application.ports import Parser
from argus.application.progress import ProgressProjector
from argus.application.progress_feed import ProgressFeed
from argus.application.queries import ReportQuery
from argus.application.report_memory import ReportMemory
from argus.application.shared_flight import SharedFlight
from argus.bootstrap.connect import Adapters, Messaging
from argus.bootstrap.limits import batch_limits
from argus.infrastructure.parsing.native import NativeMcapParser, native_available
from argus.infrastructure.parsing.python_mcap import PythonMcapParser
from argus.infrastructure.postgres.outbox import PostgresOutbox
from argus.infrastructure.redis.flight_lease import RedisFlightLease
from argus.infrastructure.templates.drain3_miner import Drain3TemplateMiner

log = logging.getLogger(__name__)


def ingest_service(a: Adapters) -> IngestService:
    return IngestService(
        batches=a.batches,
        blobs=a.blobs,
        limits=IngestLimits(
            max_file_bytes=a.settings.app.max_upload_bytes, batch=batch_limits(a.settings)
        ),
    )


def report_memory(a: Adapters) -> ReportMemory:
    """One per API process, shared by its report reads and its feedback (decision 0030)."""
    app = a.settings.app
    return ReportMemory(max_bytes=app.report_memory_bytes, fresh_s=app.report_memory_fresh_s)


def report_query(a: Adapters, memory: ReportMemory | None = None) -> ReportQuery:
    lease = RedisFlightLease(a.redis, ttl_ms=a.settings.redis.report_lease_ms)
    return ReportQuery(reports=a.reports, cache=a.cache, memory=memory, shared=SharedFlight(lease))


def orchestrator(a: Adapters) -> Orchestrator:
    return Orchestrator(batches=a.batches, barrier=a.barrier)


def gather_handler(a: Adapters) -> GatherHandler:
    return GatherHandler(
        batches=a.batches,
        blobs=a.blobs,
        reports=a.reports,
        template_miner=Drain3TemplateMiner,
        top_k=a.settings.gather.top_k,
    )


def parse_file_handler(m: Messaging) -> ParseFileHandler:
    return ParseFileHandler(
        blobs=m.blobs, parser=default_parser(m.settings.parser.threads), publisher=m.bus
    )


def default_parser(threads: int | None) -> Parser:
    """The native C++ engine when it is built, else the Python reference (same summaries)."""
    if native_available():
        return NativeMcapParser(threads=threads)
    log.warning("argus._native is not built; parsing with the Python reference parser")
    return PythonMcapParser()


def progress_projector(a: Adapters) -> ProgressProjector:
    return ProgressProjector(channel=a.progress)


def progress_feed(a: Adapters) -> ProgressFeed:
    return ProgressFeed(channel=a.progress, batches=a.batches)


def janitor(a: Adapters) -> Janitor:
    return Janitor(
        batches=a.batches,
        blobs=a.blobs,
        upload_ttl=timedelta(seconds=a.settings.janitor.upload_ttl_s),
    )


def outbox_relay(a: Adapters) -> tuple[OutboxRelay, PostgresOutbox]:
    outbox = PostgresOutbox(a.pg_url)
    return OutboxRelay(outbox=outbox, publisher=a.bus), outbox
