"""OWASP API4 probes against a real server on a socket: every limit answers with its status,
the JSON error body and (where waiting helps) Retry-After, and leaves nothing behind."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.security.raw import send_and_stall, send_until_answered
from tests.security.serving import LIMITS, LimitedServer, assert_error, caller_headers, new_batch

pytestmark = pytest.mark.e2e

MiB = 1 << 20
HEADER_LIMIT = int(LIMITS["ARGUS_LIMITS_HEADER_BYTES"])
JSON_LIMIT = int(LIMITS["ARGUS_LIMITS_JSON_BODY_BYTES"])
BURST = int(LIMITS["ARGUS_LIMITS_REQUEST_BURST"])
# What a refused client may still get out: the limit, the server's socket read and the
# kernel's buffers on both ends. Far below the 150 MB / 200 MB the probes offer.
SLACK = 8 * MiB


def auth_line() -> str:
    name, value = next(iter(caller_headers().items()))
    return f"{name}: {value}\r\n"


async def test_a_150_mb_header_line_is_refused_with_431_after_a_bounded_read(
    limited_server: LimitedServer, api: httpx.AsyncClient
) -> None:
    head = f"GET /healthz HTTP/1.1\r\nHost: probe\r\n{auth_line()}X-Big: ".encode()
    answer = await send_until_answered(limited_server.base_url, head, limit=150 * MiB)
    assert answer.status == 431
    assert answer.error()["code"] == "header_too_large"
    assert answer.headers["connection"] == "close"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.sent < HEADER_LIMIT + SLACK
    assert (await api.get("/healthz")).status_code == 200


async def test_a_stalled_head_is_408_and_a_silent_connection_is_closed(
    limited_server: LimitedServer, api: httpx.AsyncClient
) -> None:
    partial = f"GET /healthz HTTP/1.1\r\nHost: probe\r\n{auth_line()}X-Slow: ".encode()
    answer = await send_and_stall(limited_server.base_url, partial, b"")
    assert answer.status == 408 and answer.error()["code"] == "request_timeout"
    silent = await send_and_stall(limited_server.base_url, b"", b"")
    assert (silent.status, silent.body) == (0, b"")  # closed without an answer
    assert (await api.get("/healthz")).status_code == 200


async def test_headers_under_the_limit_pass(api: httpx.AsyncClient) -> None:
    response = await api.get("/healthz", headers={"X-Padding": "p" * (HEADER_LIMIT // 2)})
    assert response.status_code == 200


async def test_a_json_body_declared_too_large_is_refused_before_it_is_read(
    limited_server: LimitedServer,
) -> None:
    head = (
        f"POST /api/v1/batches HTTP/1.1\r\nHost: probe\r\n{auth_line()}"
        f"Content-Type: application/json\r\nContent-Length: {200 * MiB}\r\n\r\n"
    ).encode()
    answer = await send_until_answered(limited_server.base_url, head, limit=200 * MiB)
    assert answer.status == 413 and answer.error()["code"] == "payload_too_large"
    assert answer.sent < SLACK


async def test_a_chunked_json_body_is_cut_once_it_passes_the_limit(
    limited_server: LimitedServer,
) -> None:
    head = (
        f"POST /api/v1/batches HTTP/1.1\r\nHost: probe\r\n{auth_line()}"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    answer = await send_until_answered(limited_server.base_url, head, limit=200 * MiB, chunked=True)
    assert answer.status == 413 and answer.error()["code"] == "payload_too_large"
    assert answer.headers["connection"] == "close"
    assert answer.sent < JSON_LIMIT + SLACK


async def test_a_stalled_upload_is_cut_its_part_file_removed_and_the_batch_stays_usable(
    limited_server: LimitedServer, api: httpx.AsyncClient
) -> None:
    batch_id = await new_batch(api)
    head = (
        f"PUT /api/v1/batches/{batch_id}/files/slow.mcap HTTP/1.1\r\nHost: probe\r\n"
        f"{auth_line()}Content-Type: application/octet-stream\r\nContent-Length: 5000\r\n\r\n"
    ).encode()
    answer = await send_and_stall(limited_server.base_url, head, b"x" * 100)
    assert answer.status == 408 and answer.error()["code"] == "request_timeout"
    assert limited_server.incoming() == [] and limited_server.blobs_of(batch_id) == []
    stored = await api.put(f"/api/v1/batches/{batch_id}/files/slow.mcap", content=b"y" * 100)
    assert stored.status_code == 201, stored.text
    assert (await api.post(f"/api/v1/batches/{batch_id}/complete")).status_code == 202


async def test_files_per_batch_and_bytes_per_batch_are_413_and_leave_nothing(
    limited_server: LimitedServer, api: httpx.AsyncClient
) -> None:
    batch_id = await new_batch(api)
    files = f"/api/v1/batches/{batch_id}/files"
    for name in ("a.mcap", "b.mcap"):
        assert (await api.put(f"{files}/{name}", content=b"z" * 4000)).status_code == 201
    # 8000 of 10000 bytes used: a declared 3000 is refused before a byte is stored…
    assert_error(await api.put(f"{files}/c.mcap", content=b"z" * 3000), 413, "batch_too_large")

    # …and a body without a length is cut where the batch is full.
    async def undeclared() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"z" * 1000

    assert_error(await api.put(f"{files}/c.mcap", content=undeclared()), 413, "payload_too_large")
    assert (await api.put(f"{files}/c.mcap", content=b"z" * 2000)).status_code == 201
    assert_error(await api.put(f"{files}/d.mcap", content=b""), 413, "too_many_files")
    assert limited_server.incoming() == []
    assert len(limited_server.blobs_of(batch_id)) == 3
    status = (await api.get(f"/api/v1/batches/{batch_id}")).json()
    assert status["total_files"] == 3


async def test_open_batches_per_vehicle_are_409_until_one_is_completed(
    api: httpx.AsyncClient,
) -> None:
    vehicle = f"veh-{uuid.uuid4().hex[:8]}"
    first = await new_batch(api, vehicle)
    await new_batch(api, vehicle)
    third = {"vehicle_id": vehicle, "batch_id": f"sec-{uuid.uuid4().hex[:12]}"}
    assert_error(await api.post("/api/v1/batches", json=third), 409, "too_many_open_batches")
    listed = await api.get("/api/v1/batches", params={"vehicle_id": vehicle})
    assert listed.json()["total"] == 2
    # The same batch again is not a new one: 200, not a refusal.
    again = await api.post("/api/v1/batches", json={"vehicle_id": vehicle, "batch_id": first})
    assert again.status_code == 200
    await api.put(f"/api/v1/batches/{first}/files/a.mcap", content=b"x")
    assert (await api.post(f"/api/v1/batches/{first}/complete")).status_code == 202
    assert (await api.post("/api/v1/batches", json=third)).status_code == 201


async def test_a_caller_past_its_rate_gets_429_with_retry_after_and_others_do_not(
    limited_server: LimitedServer, api: httpx.AsyncClient
) -> None:
    answers = [(await api.get("/api/v1/batches/none")).status_code for _ in range(BURST)]
    assert answers == [404] * BURST
    refused = await api.get("/api/v1/batches/none")
    assert_error(refused, 429, "too_many_requests")
    assert int(refused.headers["retry-after"]) >= 1
    assert (await api.get("/healthz")).status_code == 200  # health is never limited
    async with httpx.AsyncClient(
        base_url=limited_server.base_url, headers=caller_headers()
    ) as other:
        assert (await other.get("/api/v1/batches/none")).status_code == 404


async def test_the_rate_limit_key_is_the_hash_of_the_token(limited_server: LimitedServer) -> None:
    from redis.asyncio import Redis

    token = f"probe-{uuid.uuid4().hex}"
    async with httpx.AsyncClient(
        base_url=limited_server.base_url, headers=caller_headers(token)
    ) as client:
        await client.get("/api/v1/batches/none")
    redis = Redis.from_url(limited_server.redis.url)
    try:
        keys = [k.decode() if isinstance(k, bytes) else k for k in await redis.keys("argus:rate:*")]
    finally:
        await redis.aclose()
    assert f"argus:rate:token:{hashlib.sha256(token.encode()).hexdigest()}" in keys
    assert not any(token in key for key in keys)


async def test_concurrent_progress_streams_per_caller_are_bounded(
    limited_server: LimitedServer, api: httpx.AsyncClient
) -> None:
    batch_id = await new_batch(api)
    url = f"/api/v1/batches/{batch_id}/events"
    async with (
        api.stream("GET", url) as first,
        api.stream("GET", url) as second,
    ):
        assert (first.status_code, second.status_code) == (200, 200)
        assert_error(await api.get(url), 429, "too_many_requests")
        async with (
            httpx.AsyncClient(base_url=limited_server.base_url, headers=caller_headers()) as other,
            other.stream("GET", url) as theirs,
        ):
            assert theirs.status_code == 200
    # Closed streams give their slots back (the server notices at its next keep-alive or
    # read, so ask until it has: counted, not timed).
    for _ in range(100):
        async with api.stream("GET", url) as again:
            if again.status_code == 200:
                break
        await asyncio.sleep(0.1)
    assert again.status_code == 200
