"""OWASP API2, broken authentication: no, malformed, unknown, expired and revoked tokens are
401 with the JSON body and `WWW-Authenticate: Bearer`, and nothing is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from argus.application.identity import Authenticator
from argus.bootstrap import Adapters
from argus.domain.audit import Action, AuditEntry
from argus.domain.errors import Unauthenticated
from argus.domain.identity import (
    LOCAL_ADMIN,
    Caller,
    Principal,
    Role,
    TokenRecord,
    new_token,
    new_token_id,
    token_hash,
)
from argus.infrastructure.postgres.identity_repository import PostgresIdentityRepository
from tests.security.conftest import Tenants, assert_error, open_batch, status_of

pytestmark = pytest.mark.integration

BAD_HEADERS = [
    {},
    {"Authorization": ""},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer not-a-token"},
    {"Authorization": "Bearer argus_v1_short"},
    {"Authorization": "Bearer argus_v1_" + "%" * 43},
    {"Authorization": f"Bearer {new_token()}"},  # well formed, never issued
]


@pytest.mark.parametrize("headers", BAD_HEADERS)
async def test_a_create_without_a_valid_token_is_401_and_creates_nothing(
    api: httpx.AsyncClient, adapters: Adapters, batch_id: str, headers: dict[str, str]
) -> None:
    response = await api.post(
        "/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": batch_id}, headers=headers
    )
    assert_error(response, 401, "unauthenticated")
    assert await status_of(adapters, batch_id) is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/batches"),
        ("GET", "/api/v1/batches/x"),
        ("GET", "/api/v1/batches/x/events"),
        ("GET", "/api/report/x"),
        ("POST", "/api/v1/batches/x/diagnosis/feedback"),
        ("GET", "/api/v1/admin/audit"),
        ("GET", "/no/such/route"),
    ],
)
async def test_every_route_but_healthz_needs_a_token(
    api: httpx.AsyncClient, method: str, path: str
) -> None:
    assert_error(await api.request(method, path), 401, "unauthenticated")
    assert (await api.get("/healthz")).status_code == 200


async def test_a_cross_origin_text_plain_post_cannot_complete_a_batch(
    api: httpx.AsyncClient, adapters: Adapters, tenants: Tenants, batch_id: str
) -> None:
    """The issue's probe: a web page posting a 'simple' request (no preflight) with the
    browser's cookies. The browser rules refuse the foreign origin before anything else (403)
    and a form-like content type even without an Origin (415); a request a page cannot send
    without a preflight (JSON-typed) still needs a bearer token (401): there are no cookies."""
    await open_batch(api, tenants, "a1", batch_id)
    path = f"/api/v1/batches/{batch_id}/complete"
    foreign = {"Content-Type": "text/plain", "Origin": "https://evil.example"}
    assert_error(await api.post(path, content=b"x", headers=foreign), 403, "forbidden")
    no_origin = {"Content-Type": "text/plain"}
    assert_error(
        await api.post(path, content=b"x", headers=no_origin), 415, "unsupported_media_type"
    )
    json_typed = {"Content-Type": "application/json"}
    assert_error(await api.post(path, content=b"", headers=json_typed), 401, "unauthenticated")
    assert await status_of(adapters, batch_id) == "pending"


async def _stored(adapters: Adapters, tenants: Tenants, *, expires_at: datetime) -> str:
    """An engineer token of fleet A stored with `expires_at` (past ones cannot be issued)."""
    secret, token_id = new_token(), new_token_id()
    record = TokenRecord(
        token_id=token_id,
        token_hash=token_hash(secret),
        principal=Principal(
            token_id=token_id, role=Role.ENGINEER, fleet_id=tenants.fleet_a, name="old"
        ),
        created_at=expires_at - timedelta(days=1),
        expires_at=expires_at,
    )
    audit = AuditEntry.of(Caller(LOCAL_ADMIN, "tests"), Action.TOKEN_CREATE, token_id, None)
    await PostgresIdentityRepository(adapters.pool).add_token(record, audit=audit)
    return secret


async def test_an_expired_token_is_401(
    api: httpx.AsyncClient, adapters: Adapters, tenants: Tenants
) -> None:
    expired = await _stored(adapters, tenants, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    response = await api.get("/api/v1/batches", headers={"Authorization": f"Bearer {expired}"})
    assert_error(response, 401, "unauthenticated")
    assert "expired" in response.json()["error"]["message"]


async def test_a_revoked_token_is_refused_once_the_cache_entry_ends(
    adapters: Adapters, tenants: Tenants
) -> None:
    """Revocation latency is the cache time: counted on a clock the test moves."""
    secret, token_id = await tenants.ids.new_token(Role.ENGINEER)
    now = [0.0]
    auth = Authenticator(
        tokens=PostgresIdentityRepository(adapters.pool), cache_s=5.0, clock=lambda: now[0]
    )
    assert (await auth.authenticate(secret)).token_id == token_id
    assert await tenants.ids.admin.revoke(Caller(LOCAL_ADMIN, "tests"), token_id)
    now[0] = 4.9
    assert (await auth.authenticate(secret)).token_id == token_id  # still cached
    now[0] = 5.0
    with pytest.raises(Unauthenticated, match="revoked"):
        await auth.authenticate(secret)


async def test_a_revoked_token_is_401_over_http(
    api: httpx.AsyncClient, adapters: Adapters, tenants: Tenants, batch_id: str
) -> None:
    secret, token_id = await tenants.ids.new_token(Role.VEHICLE, vehicle_id=tenants.a1)
    await tenants.ids.admin.revoke(Caller(LOCAL_ADMIN, "tests"), token_id)
    response = await api.post(
        "/api/v1/batches",
        json={"vehicle_id": tenants.a1, "batch_id": batch_id},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert_error(response, 401, "unauthenticated")
    assert await status_of(adapters, batch_id) is None
