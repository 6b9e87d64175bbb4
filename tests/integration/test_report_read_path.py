"""The read path over HTTP against real PostgreSQL and Redis: database reads are counted."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from argus.application.ports import ReportRecord
from argus.bootstrap import Adapters
from argus.constants import report_cache_key
from argus.domain.analysis import Diagnosis, gather
from argus.domain.batch import Batch, BatchStatus
from argus.domain.events import BatchGathered, DiagnosisCompleted
from argus.domain.log_file import LogFile
from argus.entrypoints.http import http_services
from argus.infrastructure.postgres.report_repository import PostgresReportRepository
from argus.interfaces.http.app import create_app
from tests.fakes.analysis import sample_files
from tests.fakes.templates import FakeTemplateMiner
from tests.identity import FleetAuth, Identities

pytestmark = pytest.mark.integration


class CountingReportRepository(PostgresReportRepository):
    """The real repository, counting the database reads the read path makes."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool)
        self.reads = 0

    async def load(self, batch_id: str) -> ReportRecord | None:
        self.reads += 1
        return await super().load(batch_id)


@pytest.fixture
async def counted(
    adapters: Adapters, identities: Identities
) -> AsyncIterator[tuple[CountingReportRepository, httpx.AsyncClient]]:
    """An HTTP client whose report reads go through a counting repository."""
    reports = CountingReportRepository(adapters.pool)
    app = create_app(http_services(dataclasses.replace(adapters, reports=reports)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://argus", auth=FleetAuth(identities)
    ) as client:
        yield reports, client


async def finished_batch(adapters: Adapters, batch_id: str) -> None:
    """A batch driven through every state with real repositories."""
    batches = adapters.batches
    await batches.create(Batch(batch_id=batch_id, vehicle_id="veh-1"))
    await batches.add_file(
        batch_id,
        LogFile(file_id=f"{batch_id}-f", name="a.mcap", size=1, sha256="0" * 64, blob_key="k"),
    )
    await batches.mutate(batch_id, lambda b: b.complete_upload())
    await batches.mutate(batch_id, lambda b: b.scatter())
    await batches.record_file_result(
        batch_id, f"{batch_id}-f", parsed=True, summary_key="s", reason=None
    )
    await batches.mutate(batch_id, lambda b: b.open_barrier())
    gathered = gather(sample_files(), template_miner=FakeTemplateMiner())
    await adapters.reports.save_gathered(
        batch_id,
        summary=gathered.summary,
        anomalies=gathered.anomalies,
        event=BatchGathered(batch_id=batch_id, vehicle_id="veh-1", anomaly_count=0),
    )
    await batches.mutate(batch_id, lambda b: b.start_diagnosis())
    diagnosis = Diagnosis(
        component="none",
        root_cause="nothing abnormal",
        severity="info",
        confidence=1.0,
        evidence=(),
        actions=(),
        engine="test",
        related_anomalies=(),
    )
    await adapters.reports.save_diagnosis(
        batch_id,
        diagnosis=diagnosis,
        event=DiagnosisCompleted(batch_id=batch_id, component="none", severity="info"),
    )
    await batches.mutate(batch_id, lambda b: b.finish())


async def test_200_concurrent_gets_of_an_uncached_report_make_one_database_read(
    adapters: Adapters,
    counted: tuple[CountingReportRepository, httpx.AsyncClient],
    batch_id: str,
) -> None:
    reports, http = counted
    await finished_batch(adapters, batch_id)
    await adapters.redis.delete(report_cache_key(batch_id))
    responses = await asyncio.gather(*(http.get(f"/api/report/{batch_id}") for _ in range(200)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert responses[0].json()["diagnosis"]["root_cause"] == "nothing abnormal"
    assert reports.reads == 1
    assert await adapters.redis.get(report_cache_key(batch_id)) == responses[0].content
    again = await asyncio.gather(
        *(http.get(f"/api/v1/batches/{batch_id}/report") for _ in range(50))
    )
    assert {r.status_code for r in again} == {200}
    assert reports.reads == 1  # served from Redis


async def test_status_of_an_open_batch_is_read_each_time_and_never_cached(
    adapters: Adapters, http: httpx.AsyncClient, batch_id: str
) -> None:
    await adapters.batches.create(Batch(batch_id=batch_id, vehicle_id="veh-1"))
    first = await http.get(f"/api/report/{batch_id}")
    assert first.status_code == 202 and first.json()["status"] == BatchStatus.PENDING.value
    assert await adapters.redis.get(report_cache_key(batch_id)) is None


async def test_health_reports_both_backends(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"postgres": "ok", "redis": "ok"}}
