"""Finished reports from process memory over HTTP, against real PostgreSQL and Redis: no Redis
call per hot read, ETag → 304, the gzip variant, and never another fleet's (decision 0030)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from argus.bootstrap import Adapters
from argus.entrypoints.http import http_services
from argus.infrastructure.redis.report_cache import RedisReportCache
from argus.interfaces.http.app import create_app
from tests.identity import FleetAuth, Identities
from tests.integration.test_report_read_path import CountingReportRepository, finished_batch

pytestmark = pytest.mark.integration


class CountingRedisCache(RedisReportCache):
    """The real Redis cache, counting the calls the read path makes to it."""

    calls = 0

    async def get(self, batch_id: str) -> bytes | None:
        self.calls += 1
        return await super().get(batch_id)

    async def set(self, batch_id: str, payload: bytes) -> None:
        self.calls += 1
        await super().set(batch_id, payload)


Served = tuple[CountingReportRepository, CountingRedisCache, httpx.AsyncClient]


@pytest.fixture
async def served(adapters: Adapters, identities: Identities) -> AsyncIterator[Served]:
    reports = CountingReportRepository(adapters.pool)
    cache = CountingRedisCache(adapters.redis, ttl_s=60)
    wired = dataclasses.replace(adapters, reports=reports, cache=cache)
    transport = httpx.ASGITransport(app=create_app(http_services(wired)))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://argus", auth=FleetAuth(identities)
    ) as client:
        yield reports, cache, client


async def test_hot_reads_make_no_redis_call_and_one_database_read(
    adapters: Adapters,
    served: Served,
    batch_id: str,
) -> None:
    reports, cache, http = served
    await finished_batch(adapters, batch_id)
    first = await http.get(f"/api/report/{batch_id}")
    assert first.status_code == 200 and reports.reads == 1
    calls = cache.calls
    for _ in range(50):
        again = await http.get(f"/api/v1/batches/{batch_id}/report")
        assert again.status_code == 200 and again.content == first.content
    assert (reports.reads, cache.calls) == (1, calls)


async def test_if_none_match_is_304_per_representation(
    adapters: Adapters,
    served: Served,
    batch_id: str,
) -> None:
    _, _, http = served
    await finished_batch(adapters, batch_id)
    url = f"/api/report/{batch_id}"
    plain = await http.get(url, headers={"Accept-Encoding": "identity"})
    etag = plain.headers["etag"]
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"
    packed = await http.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip" and packed.headers["etag"] != etag
    assert packed.content == plain.content  # httpx decodes it
    again = await http.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 200  # the plain variant's tag does not match the gzip one
    not_modified = [
        await http.get(url, headers={"Accept-Encoding": "identity", "If-None-Match": etag})
        for _ in range(10)
    ]
    assert [r.status_code for r in not_modified] == [304] * 10
    assert {r.content for r in not_modified} == {b""}
    assert {r.headers["etag"] for r in not_modified} == {etag}
    stale = await http.get(url, headers={"Accept-Encoding": "identity", "If-None-Match": '"x"'})
    assert stale.status_code == 200 and stale.content == plain.content


async def test_a_report_in_memory_is_still_404_to_another_fleet(
    adapters: Adapters,
    identities: Identities,
    served: Served,
    batch_id: str,
) -> None:
    _, _, http = served
    await finished_batch(adapters, batch_id)
    assert (await http.get(f"/api/report/{batch_id}")).status_code == 200  # now in memory
    stranger = await identities.engineer("fleet-elsewhere", name="eve")
    for path in (f"/api/report/{batch_id}", f"/api/v1/batches/{batch_id}/report"):
        refused = await http.get(path, headers={"Authorization": f"Bearer {stranger}"})
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
        etag_probe = await http.get(
            path, headers={"Authorization": f"Bearer {stranger}", "If-None-Match": "*"}
        )
        assert etag_probe.status_code == 404
