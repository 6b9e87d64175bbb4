"""The read lane answers exactly like the FastAPI route (decision 0031): one app with the lane,
one without, the same real PostgreSQL and Redis, the same requests; statuses, headers and
bodies compared, and the lane's own count shows it, not the route, answered the hot reads."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from argus.bootstrap import Adapters
from argus.entrypoints.http import http_services
from argus.infrastructure.redis.rate_limiter import RedisRateLimiter
from argus.interfaces.http.app import create_app, create_served_app
from argus.interfaces.http.guards import HttpGuards
from argus.interfaces.http.report_lane import ReportLane, report_id_of
from argus.interfaces.http.settings import LimitsSettings
from tests.identity import FleetAuth, Identities
from tests.integration.test_report_read_path import finished_batch

pytestmark = pytest.mark.integration

Clients = tuple[httpx.AsyncClient, httpx.AsyncClient, ReportLane]


def guards(adapters: Adapters, burst: int) -> HttpGuards:
    limits = LimitsSettings(requests_per_s=0.001, request_burst=burst, rate_reserve=1)
    shared = RedisRateLimiter(adapters.redis, rate_per_s=0.001, burst=burst)
    return HttpGuards(limits=limits, rate_limiter=shared)


@pytest.fixture
async def clients(adapters: Adapters, identities: Identities) -> AsyncIterator[Clients]:
    with_lane = create_served_app(http_services(adapters), guards=guards(adapters, 10_000))
    assert isinstance(with_lane, ReportLane)
    without = create_app(http_services(adapters), guards=guards(adapters, 10_000))
    auth = FleetAuth(identities)
    lane_http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=with_lane), base_url="http://argus", auth=auth
    )
    route_http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=without), base_url="http://argus", auth=auth
    )
    async with lane_http, route_http:
        yield lane_http, route_http, with_lane


def same(a: httpx.Response, b: httpx.Response) -> None:
    assert a.status_code == b.status_code
    assert a.headers.multi_items() == b.headers.multi_items()
    assert a.content == b.content


def test_the_lane_takes_only_report_paths() -> None:
    assert report_id_of("/api/report/b-1") == "b-1"
    assert report_id_of("/api/v1/batches/b-1/report") == "b-1"
    for other in ("/api/report/", "/api/report/a/b", "/api/v1/batches/a/b/report", "/healthz"):
        assert report_id_of(other) is None


async def test_the_lane_answers_like_the_route(
    adapters: Adapters, identities: Identities, clients: Clients, batch_id: str
) -> None:
    lane_http, route_http, lane = clients
    await finished_batch(adapters, batch_id)
    stranger = await identities.engineer("fleet-elsewhere", name="mallory")
    probes: list[dict[str, str] | list[tuple[str, str]]] = [
        {},
        # A repeated header: its first value counts, as `Headers.get` reads it (plain, not gzip).
        [("Accept-Encoding", "identity"), ("Accept-Encoding", "gzip")],
        {"Accept-Encoding": "gzip"},
        {"Accept-Encoding": "identity"},
        {"If-None-Match": "*"},
        {"If-None-Match": '"nope", W/"also-not"'},
        {"Authorization": f"Bearer {stranger}"},
        {"Authorization": f"Bearer {stranger}", "If-None-Match": "*"},
        {"Authorization": "Bearer not-a-token"},
        {"Origin": "https://elsewhere.example"},  # CORS: left to the stack
    ]
    for path in (f"/api/report/{batch_id}", f"/api/v1/batches/{batch_id}/report"):
        # First reads: the route (nothing in memory yet); later ones: the lane.
        same(await lane_http.get(path), await route_http.get(path))
        plain = await lane_http.get(path)
        packed = await lane_http.get(path, headers={"Accept-Encoding": "gzip"})
        current = [
            {"If-None-Match": plain.headers["etag"]},
            {"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]},
        ]
        for headers in [*probes, *current]:
            same(
                await lane_http.get(path, headers=headers),
                await route_http.get(path, headers=headers),
            )
        hostile = f"{path}?q=%01"  # a control character: 400 from `RequestGuard`, both ways
        same(await lane_http.get(hostile), await route_http.get(hostile))
        for harmless in (f"{path}?q=1", f"{path}?"):  # a query the lane checks; an empty one
            same(await lane_http.get(harmless), await route_http.get(harmless))
    in_path = f"/api/report/{batch_id}%01"  # 400 (or 404) from the stack: not a report held
    same(await lane_http.get(in_path), await route_http.get(in_path))
    # Per path: the plain and the gzip read, 6 probes of the owning fleet's engineer, the two
    # ETag probes and the two harmless queries; on the second path also its first read (the
    # report is in memory by then). The stranger's reads are 404 from the route; the bad token
    # never gets past `BearerAuth`.
    assert lane.served == 12 + 13
    # One head made per representation and status, then reused: gzip 200 and 304 (httpx asks
    # for gzip unless told otherwise), identity 200.
    assert lane.heads_made == 3


async def test_the_lane_spends_rate_limit_tokens_like_the_route(
    adapters: Adapters, identities: Identities, batch_id: str
) -> None:
    await finished_batch(adapters, batch_id)
    statuses = {}
    for lane in (True, False):
        serve = create_served_app if lane else create_app
        app = serve(http_services(adapters), guards=guards(adapters, 3))
        owner = await identities.owner_of(batch_id)
        assert owner is not None
        token = await identities.engineer(owner[0], name=f"rate-{lane}")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://argus"
        ) as http:
            header = {"Authorization": f"Bearer {token}"}
            replies = [await http.get(f"/api/report/{batch_id}", headers=header) for _ in range(5)]
            statuses[lane] = [r.status_code for r in replies]
    assert statuses[True] == statuses[False] == [200, 200, 200, 429, 429]


async def test_requests_for_a_report_not_in_memory_wait_for_one_read(
    adapters: Adapters, identities: Identities, batch_id: str
) -> None:
    """A report in Redis but not in this process' memory (a new process, or one `fresh_s`
    after the last read): one request reads it through the stack, the others wait for that
    read and are answered from memory; without the wait every request in flight read Redis."""
    await finished_batch(adapters, batch_id)
    auth = FleetAuth(identities)
    first = http_services(adapters)  # another process: reads the database, writes Redis
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_served_app(first, guards=guards(adapters, 999))),
        base_url="http://argus",
        auth=auth,
    ) as http:
        assert (await http.get(f"/api/report/{batch_id}")).status_code == 200
    services = http_services(adapters)  # this process: nothing in memory yet
    lane = create_served_app(services, guards=guards(adapters, 999))
    assert isinstance(lane, ReportLane)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=lane), base_url="http://argus", auth=auth
    ) as http:
        replies = await asyncio.gather(*(http.get(f"/api/report/{batch_id}") for _ in range(20)))
    assert {r.status_code for r in replies} == {200}
    assert len({r.content for r in replies}) == 1
    assert services.reads.reports.counts()["redis_hits"] == 1
    assert services.reads.reports.counts()["database_reads"] == 0
    assert (lane.waited, lane.served) == (19, 19)


async def test_a_client_that_does_not_read_its_response_holds_up_only_its_own_request(
    adapters: Adapters, identities: Identities, batch_id: str
) -> None:
    """The request that reads a report into memory lets the waiting ones go when its response
    starts: if its client never reads the body (its send blocks), the others are still served."""
    await finished_batch(adapters, batch_id)
    lane = create_served_app(http_services(adapters), guards=guards(adapters, 999))
    assert isinstance(lane, ReportLane)
    url = f"http://argus/api/report/{batch_id}"
    token = await identities.token_for(httpx.Request("GET", url))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": f"/api/report/{batch_id}",
        "raw_path": f"/api/report/{batch_id}".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"argus"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 40000),
        "server": ("argus", 80),
    }
    started = asyncio.Event()

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def never_read(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            started.set()
        else:
            await asyncio.Event().wait()  # the client's window stays full

    filler = asyncio.create_task(lane(scope, receive, never_read))  # type: ignore[arg-type]
    await asyncio.sleep(0)  # it is now the request reading the report
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=lane), auth=FleetAuth(identities)
        ) as http:
            reply = await asyncio.wait_for(http.get(url), 30)
        assert reply.status_code == 200
        assert started.is_set()
        assert (lane.waited, lane.served) == (1, 1)
    finally:
        filler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await filler
