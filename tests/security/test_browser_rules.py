"""Browser rules: security headers on every answer, no CORS unless allow-listed, no
cross-origin or form-typed writes, and a /healthz that names no internal address."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from argus.bootstrap import Adapters
from argus.bootstrap.limits import http_guards
from argus.entrypoints.http import http_services
from argus.infrastructure.embedded.process import free_port
from argus.interfaces.http.app import create_app
from argus.interfaces.http.settings import BrowserSettings
from tests.security.conftest import Tenants
from tests.security.serving import LimitedServer, Probe, assert_error, new_batch

EVIL = "https://evil.example"
DASHBOARD = "https://dash.example"


def assert_security_headers(response: httpx.Response) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in headers["content-security-policy"]


@pytest.mark.e2e
async def test_every_answer_has_the_security_headers_and_json_is_not_stored(
    probe: Probe,
) -> None:
    batch_id = await new_batch(probe)
    answers = [
        await probe.get("/healthz"),
        await probe.get(f"/api/v1/batches/{batch_id}"),
        await probe.get("/api/v1/batches/none"),
        await probe.get(f"/api/report/{batch_id}"),  # 202: in progress, not to be kept
        await probe.post("/api/v1/batches", content=b"{", headers={"Content-Type": "text/plain"}),
    ]
    assert [r.status_code for r in answers] == [200, 200, 404, 202, 415]
    for response in answers:
        assert_security_headers(response)
        assert response.headers["cache-control"] == "no-store"
    async with probe.stream("GET", f"/api/v1/batches/{batch_id}/events") as stream:
        assert_security_headers(stream)
        assert stream.headers["cache-control"] == "no-cache"  # the stream's own


@pytest.mark.e2e
async def test_no_cors_by_default(probe: Probe) -> None:
    preflight = await probe.options(
        "/api/v1/batches",
        headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    read = await probe.get("/healthz", headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in read.headers


@pytest.mark.e2e
async def test_a_cross_origin_or_form_typed_write_changes_nothing(
    limited_server: LimitedServer, probe: Probe
) -> None:
    batch_id = await new_batch(probe)
    await probe.put(f"/api/v1/batches/{batch_id}/files/a.mcap", content=b"a")
    complete = f"/api/v1/batches/{batch_id}/complete"
    # What a web page on another origin can send without a preflight:
    plain = {"Origin": EVIL, "Content-Type": "text/plain;charset=UTF-8"}
    assert_error(await probe.post(complete, content=b"{}", headers=plain), 403, "forbidden")
    assert_error(await probe.post(complete, headers={"Origin": EVIL}), 403, "forbidden")
    # Same refusals by content type, with no Origin at all:
    text = {"Content-Type": "text/plain"}
    assert_error(
        await probe.post(complete, content=b"{}", headers=text), 415, "unsupported_media_type"
    )
    form = {"vehicle_id": "veh-1", "batch_id": f"sec-{uuid.uuid4().hex[:8]}"}
    assert_error(await probe.post("/api/v1/batches", data=form), 415, "unsupported_media_type")
    for media_type in ("multipart/form-data; boundary=x", "application/x-www-form-urlencoded"):
        upload = await probe.put(
            f"/api/v1/batches/{batch_id}/files/b.mcap",
            content=b"b",
            headers={"Content-Type": media_type},
        )
        assert_error(upload, 415, "unsupported_media_type")
    state = (await probe.get(f"/api/v1/batches/{batch_id}")).json()
    assert (state["status"], state["total_files"]) == ("pending", 1)
    assert limited_server.incoming() == [] and len(limited_server.blobs_of(batch_id)) == 1
    # The same origin may write (the server's own address).
    same = await probe.post(complete, headers={"Origin": limited_server.base_url})
    assert same.status_code == 202, same.text


@pytest.fixture
async def allow_listed(adapters: Adapters, tenants: Tenants) -> AsyncIterator[httpx.AsyncClient]:
    """The app in process with one allowed origin (CORS needs no socket), as vehicle a1."""
    settings = adapters.settings.model_copy(
        update={"browser": BrowserSettings(cors_origins=f"{DASHBOARD}/")}
    )
    wired = dataclasses.replace(adapters, settings=settings)
    app = create_app(http_services(wired), guards=http_guards(wired))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://argus", headers=tenants.as_("a1")
    ) as client:
        yield client


@pytest.mark.integration
async def test_cors_answers_only_the_allow_listed_origins(
    allow_listed: httpx.AsyncClient, tenants: Tenants
) -> None:
    ask = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    allowed = await allow_listed.options("/api/v1/batches", headers={"Origin": DASHBOARD, **ask})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == DASHBOARD
    refused = await allow_listed.options("/api/v1/batches", headers={"Origin": EVIL, **ask})
    assert "access-control-allow-origin" not in refused.headers
    body = {"vehicle_id": tenants.a1, "batch_id": f"sec-{uuid.uuid4().hex[:8]}"}
    created = await allow_listed.post("/api/v1/batches", json=body, headers={"Origin": DASHBOARD})
    assert created.status_code == 201, created.text
    assert_error(
        await allow_listed.post("/api/v1/batches", json=body, headers={"Origin": EVIL}),
        403,
        "forbidden",
    )


@pytest.mark.integration
async def test_health_names_no_address_and_the_rate_limit_fails_open_without_redis(
    adapters: Adapters, tenants: Tenants
) -> None:
    dead = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    wired = dataclasses.replace(adapters, redis=dead)
    app = create_app(http_services(wired), guards=http_guards(wired))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://argus", headers=tenants.as_("a1")
    ) as client:
        health = await client.get("/healthz")
        missing = await client.get("/api/v1/batches/none")
    await dead.aclose()
    assert health.status_code == 503
    assert health.json() == {
        "status": "degraded",
        "checks": {"postgres": "ok", "redis": "unavailable"},
    }
    # Redis being down lets requests through (logged), rather than failing every one.
    assert_error(missing, 404, "not_found")
