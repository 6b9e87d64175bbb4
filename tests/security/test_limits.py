"""OWASP API4 probes against a real server on a socket: every limit answers with its status,
the JSON error body and (where waiting helps) Retry-After, and leaves nothing behind."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator

import pytest

from tests.identity import Identities
from tests.security.raw import send_and_stall, send_until_answered
from tests.security.serving import (
    LIMITS,
    LimitedServer,
    Probe,
    assert_error,
    engineer_client,
    new_batch,
    vehicle_client,
)

pytestmark = pytest.mark.e2e

MiB = 1 << 20
HEADER_LIMIT = int(LIMITS["ARGUS_LIMITS_HEADER_BYTES"])
JSON_LIMIT = int(LIMITS["ARGUS_LIMITS_JSON_BODY_BYTES"])
BURST = int(LIMITS["ARGUS_LIMITS_REQUEST_BURST"])
# What a refused client may still get out: the limit, the server's socket read and the
# kernel's buffers on both ends. Far below the 150 MB / 200 MB the probes offer.
SLACK = 8 * MiB


def auth_line(probe: Probe) -> str:
    """The caller's Authorization header as a raw head line: the limits hold for a real caller."""
    return f"Authorization: Bearer {probe.token}\r\n"


async def test_a_150_mb_header_line_is_refused_with_431_after_a_bounded_read(
    limited_server: LimitedServer, probe: Probe
) -> None:
    head = f"GET /healthz HTTP/1.1\r\nHost: probe\r\n{auth_line(probe)}X-Big: ".encode()
    answer = await send_until_answered(limited_server.base_url, head, limit=150 * MiB)
    assert answer.status == 431
    assert answer.error()["code"] == "header_too_large"
    assert answer.headers["connection"] == "close"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.sent < HEADER_LIMIT + SLACK
    assert (await probe.get("/healthz")).status_code == 200


async def test_a_stalled_head_is_408_and_a_silent_connection_is_closed(
    limited_server: LimitedServer, probe: Probe
) -> None:
    partial = f"GET /healthz HTTP/1.1\r\nHost: probe\r\n{auth_line(probe)}X-Slow: ".encode()
    answer = await send_and_stall(limited_server.base_url, partial, b"")
    assert answer.status == 408 and answer.error()["code"] == "request_timeout"
    silent = await send_and_stall(limited_server.base_url, b"", b"")
    assert (silent.status, silent.body) == (0, b"")  # closed without an answer
    assert (await probe.get("/healthz")).status_code == 200


async def test_headers_under_the_limit_pass(probe: Probe) -> None:
    response = await probe.get("/healthz", headers={"X-Padding": "p" * (HEADER_LIMIT // 2)})
    assert response.status_code == 200


async def test_a_json_body_declared_too_large_is_refused_before_it_is_read(
    limited_server: LimitedServer, probe: Probe
) -> None:
    head = (
        f"POST /api/v1/batches HTTP/1.1\r\nHost: probe\r\n{auth_line(probe)}"
        f"Content-Type: application/json\r\nContent-Length: {200 * MiB}\r\n\r\n"
    ).encode()
    answer = await send_until_answered(limited_server.base_url, head, limit=200 * MiB)
    assert answer.status == 413 and answer.error()["code"] == "payload_too_large"
    assert answer.sent < SLACK


async def test_a_chunked_json_body_is_cut_once_it_passes_the_limit(
    limited_server: LimitedServer, probe: Probe
) -> None:
    head = (
        f"POST /api/v1/batches HTTP/1.1\r\nHost: probe\r\n{auth_line(probe)}"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    answer = await send_until_answered(limited_server.base_url, head, limit=200 * MiB, chunked=True)
    assert answer.status == 413 and answer.error()["code"] == "payload_too_large"
    assert answer.headers["connection"] == "close"
    assert answer.sent < JSON_LIMIT + SLACK


async def test_a_stalled_upload_is_cut_its_part_file_removed_and_the_batch_stays_usable(
    limited_server: LimitedServer, probe: Probe
) -> None:
    batch_id = await new_batch(probe)
    head = (
        f"PUT /api/v1/batches/{batch_id}/files/slow.mcap HTTP/1.1\r\nHost: probe\r\n"
        f"{auth_line(probe)}Content-Type: application/octet-stream\r\nContent-Length: 5000\r\n\r\n"
    ).encode()
    answer = await send_and_stall(limited_server.base_url, head, b"x" * 100)
    assert answer.status == 408 and answer.error()["code"] == "request_timeout"
    assert limited_server.incoming() == [] and limited_server.blobs_of(batch_id) == []
    stored = await probe.put(f"/api/v1/batches/{batch_id}/files/slow.mcap", content=b"y" * 100)
    assert stored.status_code == 201, stored.text
    assert (await probe.post(f"/api/v1/batches/{batch_id}/complete")).status_code == 202


async def test_files_per_batch_and_bytes_per_batch_are_413_and_leave_nothing(
    limited_server: LimitedServer, probe: Probe
) -> None:
    batch_id = await new_batch(probe)
    files = f"/api/v1/batches/{batch_id}/files"
    for name in ("a.mcap", "b.mcap"):
        assert (await probe.put(f"{files}/{name}", content=b"z" * 4000)).status_code == 201
    # 8000 of 10000 bytes used: a declared 3000 is refused before a byte is stored…
    assert_error(await probe.put(f"{files}/c.mcap", content=b"z" * 3000), 413, "batch_too_large")

    # …and a body without a length is cut where the batch is full.
    async def undeclared() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"z" * 1000

    assert_error(await probe.put(f"{files}/c.mcap", content=undeclared()), 413, "payload_too_large")
    assert (await probe.put(f"{files}/c.mcap", content=b"z" * 2000)).status_code == 201
    assert_error(await probe.put(f"{files}/d.mcap", content=b""), 413, "too_many_files")
    assert limited_server.incoming() == []
    assert len(limited_server.blobs_of(batch_id)) == 3
    status = (await probe.get(f"/api/v1/batches/{batch_id}")).json()
    assert status["total_files"] == 3


async def test_open_batches_per_vehicle_are_409_until_one_is_completed(
    probe: Probe,
) -> None:
    # Only a vehicle's own token opens its batches: the quota is probed as that vehicle.
    vehicle = probe.vehicle_id
    first = await new_batch(probe)
    await new_batch(probe)
    third = {"vehicle_id": vehicle, "batch_id": f"sec-{uuid.uuid4().hex[:12]}"}
    assert_error(await probe.post("/api/v1/batches", json=third), 409, "too_many_open_batches")
    listed = await probe.get("/api/v1/batches", params={"vehicle_id": vehicle})
    assert listed.json()["total"] == 2
    # The same batch again is not a new one: 200, not a refusal.
    again = await probe.post("/api/v1/batches", json={"vehicle_id": vehicle, "batch_id": first})
    assert again.status_code == 200
    await probe.put(f"/api/v1/batches/{first}/files/a.mcap", content=b"x")
    assert (await probe.post(f"/api/v1/batches/{first}/complete")).status_code == 202
    assert (await probe.post("/api/v1/batches", json=third)).status_code == 201


async def test_a_caller_past_its_rate_gets_429_with_retry_after_and_others_do_not(
    limited_server: LimitedServer, sec_identities: Identities, probe: Probe
) -> None:
    answers = [(await probe.get("/api/v1/batches/none")).status_code for _ in range(BURST)]
    assert answers == [404] * BURST
    refused = await probe.get("/api/v1/batches/none")
    assert_error(refused, 429, "too_many_requests")
    assert int(refused.headers["retry-after"]) >= 1
    assert (await probe.get("/healthz")).status_code == 200  # health is never limited
    async with vehicle_client(limited_server, sec_identities) as other:
        assert (await other.get("/api/v1/batches/none")).status_code == 404


async def test_the_rate_limit_key_is_the_hash_of_the_token(
    limited_server: LimitedServer, probe: Probe
) -> None:
    from redis.asyncio import Redis

    # A real (issued) token: the key of the bucket its requests are counted in.
    token = probe.token
    assert (await probe.get("/api/v1/batches/none")).status_code == 404
    redis = Redis.from_url(limited_server.redis.url)
    try:
        keys = [k.decode() if isinstance(k, bytes) else k for k in await redis.keys("argus:rate:*")]
    finally:
        await redis.aclose()
    assert f"argus:rate:token:{hashlib.sha256(token.encode()).hexdigest()}" in keys
    assert not any(token in key for key in keys)


async def test_concurrent_progress_streams_per_caller_are_bounded(
    limited_server: LimitedServer, sec_identities: Identities, probe: Probe
) -> None:
    batch_id = await new_batch(probe)
    url = f"/api/v1/batches/{batch_id}/events"
    async with (
        probe.stream("GET", url) as first,
        probe.stream("GET", url) as second,
    ):
        assert (first.status_code, second.status_code) == (200, 200)
        assert_error(await probe.get(url), 429, "too_many_requests")
        # Another caller allowed to read the batch (an engineer of its fleet) has its own slots.
        async with (
            engineer_client(limited_server, sec_identities) as other,
            other.stream("GET", url) as theirs,
        ):
            assert theirs.status_code == 200
    # Closed streams give their slots back (the server notices at its next keep-alive or
    # read, so ask until it has: counted, not timed).
    for _ in range(100):
        async with probe.stream("GET", url) as again:
            if again.status_code == 200:
                break
        await asyncio.sleep(0.1)
    assert again.status_code == 200
