"""Bad input gets a clear 4xx with a JSON error body, and nothing is kept or half-written."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from argus.cli.client import ArgusClient
from tests.e2e.conftest import MAX_UPLOAD_BYTES, RunningServer
from tests.e2e.helpers import follow_to_end, upload_batch
from tests.identity import Identities

pytestmark = pytest.mark.e2e


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]


async def put_declaring_length(
    server: RunningServer, path: str, length: int, *, token: str
) -> tuple[int, bytes]:
    """A PUT that announces `length` bytes but sends only a few: the server must refuse on
    the header alone (an HTTP client library will not send such a request)."""
    url = httpx.URL(server.base_url)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(
        f"PUT {path} HTTP/1.1\r\nHost: {url.host}\r\nContent-Length: {length}\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Connection: close\r\n\r\nxxxx".encode()
    )
    await writer.drain()
    response = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def nothing_left_behind(server: RunningServer, batch_id: str) -> None:
    assert list((server.blob_root / ".incoming").iterdir()) == []
    assert not (server.blob_root / "batches" / batch_id / "files").exists() or not any(
        (server.blob_root / "batches" / batch_id / "files").iterdir()
    )


async def test_unknown_batch_is_404_everywhere(http: httpx.AsyncClient) -> None:
    for method, path in [
        ("GET", "/api/v1/batches/nope"),
        ("GET", "/api/v1/batches/nope/report"),
        ("GET", "/api/report/nope"),
        ("GET", "/api/v1/batches/nope/events"),
        ("POST", "/api/v1/batches/nope/complete"),
        ("PUT", "/api/v1/batches/nope/files/a.mcap"),
    ]:
        assert_error(
            await http.request(method, path, content=b"x" if method == "PUT" else None),
            404,
            "not_found",
        )


async def test_create_validates_ids_and_is_idempotent_per_vehicle(
    http: httpx.AsyncClient, batch_id: str
) -> None:
    first = await http.post("/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": batch_id})
    again = await http.post("/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": batch_id})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["status"] == "pending" and again.json()["batch_id"] == batch_id
    assert_error(
        await http.post("/api/v1/batches", json={"vehicle_id": "veh-2", "batch_id": batch_id}),
        409,
        "conflict",
    )
    assert_error(
        await http.post("/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": "a/b"}),
        400,
        "invalid_input",
    )
    assert_error(await http.post("/api/v1/batches", json={"batch_id": "x"}), 400, "invalid_input")
    assert_error(
        await http.post(
            "/api/v1/batches", content=b"{not json", headers={"Content-Type": "application/json"}
        ),
        400,
        "invalid_input",
    )
    generated = await http.post("/api/v1/batches", json={"vehicle_id": "veh-1"})
    assert generated.status_code == 201 and generated.json()["batch_id"].startswith("batch-")


@pytest.mark.parametrize(
    "raw_name",
    ["..%2Fx", "a%2Fb", "a/b", "a%00b", "x" * 300, "%2E%2E", "tab%09name"],
)
async def test_bad_file_names_are_rejected(
    http: httpx.AsyncClient, server: RunningServer, batch_id: str, raw_name: str
) -> None:
    await http.post("/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": batch_id})
    url = httpx.URL(f"{server.base_url}/api/v1/batches/{batch_id}/files/{raw_name}")
    assert_error(await http.put(url, content=b"data"), 400, "invalid_input")
    assert (await http.get(f"/api/v1/batches/{batch_id}")).json()["total_files"] == 0
    nothing_left_behind(server, batch_id)


async def test_checksum_mismatch_is_422_and_records_nothing(
    http: httpx.AsyncClient, server: RunningServer, batch_id: str
) -> None:
    await http.post("/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": batch_id})
    wrong = hashlib.sha256(b"something else").hexdigest()
    response = await http.put(
        f"/api/v1/batches/{batch_id}/files/a.mcap",
        content=b"payload" * 1000,
        headers={"X-Checksum-SHA256": wrong},
    )
    assert_error(response, 422, "integrity_error")
    assert (await http.get(f"/api/v1/batches/{batch_id}")).json()["total_files"] == 0
    nothing_left_behind(server, batch_id)
    bad_header = await http.put(
        f"/api/v1/batches/{batch_id}/files/a.mcap",
        content=b"x",
        headers={"X-Checksum-SHA256": "zz"},
    )
    assert_error(bad_header, 400, "invalid_input")


async def test_a_matching_checksum_is_accepted(http: httpx.AsyncClient, batch_id: str) -> None:
    await http.post("/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": batch_id})
    body = b"payload" * 1000
    digest = hashlib.sha256(body).hexdigest()
    response = await http.put(
        f"/api/v1/batches/{batch_id}/files/a.mcap",
        content=body,
        headers={"X-Checksum-SHA256": digest.upper()},
    )
    assert response.status_code == 201
    assert response.json()["sha256"] == digest and response.json()["size"] == len(body)


async def test_a_body_over_the_limit_is_413_declared_or_streamed(
    http: httpx.AsyncClient, server: RunningServer, batch_id: str, identities: Identities
) -> None:
    await http.post("/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": batch_id})
    status, body = await put_declaring_length(
        server,
        f"/api/v1/batches/{batch_id}/files/big.mcap",
        MAX_UPLOAD_BYTES + 1,
        token=await identities.vehicle("veh-1"),
    )
    assert status == 413 and json.loads(body)["error"]["code"] == "payload_too_large"

    async def chunked() -> AsyncIterator[bytes]:
        chunk = b"\0" * (1 << 20)
        for _ in range(MAX_UPLOAD_BYTES // len(chunk) + 2):
            yield chunk

    streamed = await http.put(f"/api/v1/batches/{batch_id}/files/big.mcap", content=chunked())
    assert_error(streamed, 413, "payload_too_large")
    assert (await http.get(f"/api/v1/batches/{batch_id}")).json()["total_files"] == 0
    nothing_left_behind(server, batch_id)


async def test_complete_of_an_empty_batch_is_409(http: httpx.AsyncClient, batch_id: str) -> None:
    await http.post("/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": batch_id})
    assert_error(await http.post(f"/api/v1/batches/{batch_id}/complete"), 409, "conflict")
    assert (await http.get(f"/api/v1/batches/{batch_id}")).json()["status"] == "pending"


async def test_upload_after_complete_is_409_and_complete_is_idempotent(
    client: ArgusClient, http: httpx.AsyncClient, drive: list[Path], batch_id: str
) -> None:
    await upload_batch(client, batch_id, drive[:1])
    again = await http.post(f"/api/v1/batches/{batch_id}/complete")
    assert again.status_code == 202
    assert_error(
        await http.put(f"/api/v1/batches/{batch_id}/files/late.mcap", content=b"x"), 409, "conflict"
    )
    events = await follow_to_end(client, batch_id)
    uploaded = [d for _, d in events if d["type"] == "status" and d["status"] == "uploaded"]
    assert len(uploaded) == 1
    assert_error(
        await http.put(f"/api/v1/batches/{batch_id}/files/late.mcap", content=b"x"), 409, "conflict"
    )
    assert (await http.get(f"/api/v1/batches/{batch_id}")).json()["total_files"] == 1
