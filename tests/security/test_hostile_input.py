"""Hostile input against a real server: control characters are 400 (never 500), a
`Last-Event-ID` is bounded, and a file name already in the batch is never silently replaced."""

from __future__ import annotations

import asyncio
import hashlib
import uuid

import httpx
import pytest

from tests.security.serving import LimitedServer, assert_error, new_batch

pytestmark = pytest.mark.e2e

FAR_FUTURE_ID = f"{(1 << 64) - 1}-{(1 << 64) - 1}"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/batches/a%00b"),
        ("GET", "/api/v1/batches/a%00b/report"),
        ("GET", "/api/report/a%00b"),
        ("GET", "/api/v1/batches/a%1bb/events"),
        ("POST", "/api/v1/batches/a%00b/complete"),
        ("PUT", "/api/v1/batches/a%00b/files/x.mcap"),
        ("PUT", "/api/v1/batches/ok/files/x%01.mcap"),
        ("GET", "/api/v1/batches?vehicle_id=v%00"),
        ("GET", "/api/v1/batches?status=pending%0a"),
    ],
)
async def test_control_characters_in_paths_and_queries_are_400(
    api: httpx.AsyncClient, method: str, path: str
) -> None:
    assert_error(await api.request(method, path), 400, "invalid_input")


@pytest.mark.parametrize(
    "body",
    [
        {"vehicle_id": "veh\u0000", "batch_id": "b-1"},
        {"vehicle_id": "veh-1", "batch_id": "b\u0000"},
        {"vehicle_id": "veh-1", "batch_id": "b\n"},
    ],
)
async def test_control_characters_in_ids_are_400(
    api: httpx.AsyncClient, body: dict[str, str]
) -> None:
    assert_error(await api.post("/api/v1/batches", json=body), 400, "invalid_input")


async def test_control_characters_in_feedback_are_400(api: httpx.AsyncClient) -> None:
    batch_id = await new_batch(api)
    url = f"/api/v1/batches/{batch_id}/diagnosis/feedback"
    for body in (
        {"verdict": "confirmed", "note": "brown-out\u0000"},
        {"verdict": "corrected", "component": "po\u0007wer"},
    ):
        assert_error(await api.post(url, json=body), 400, "invalid_input")


@pytest.mark.parametrize(
    "last_id", ["abc", "1-2-3", f"{1 << 64}-0", f"0-{1 << 64}", "9" * 21 + "-0"]
)
async def test_a_malformed_or_out_of_range_last_event_id_is_400(
    api: httpx.AsyncClient, last_id: str
) -> None:
    batch_id = await new_batch(api)
    response = await api.get(
        f"/api/v1/batches/{batch_id}/events", headers={"Last-Event-ID": last_id}
    )
    assert_error(response, 400, "invalid_input")


async def finished_batch(api: httpx.AsyncClient) -> str:
    """A batch in a final state: its one file is not an MCAP file, so it fails to parse."""
    batch_id = await new_batch(api)
    await api.put(f"/api/v1/batches/{batch_id}/files/junk.mcap", content=b"not an mcap file")
    assert (await api.post(f"/api/v1/batches/{batch_id}/complete")).status_code == 202
    for _ in range(600):
        status = (await api.get(f"/api/v1/batches/{batch_id}")).json()["status"]
        if status in {"completed", "completed_with_errors", "failed"}:
            return batch_id
        await asyncio.sleep(0.1)
    pytest.fail(f"batch {batch_id} did not finish: {status}")


async def test_an_id_past_the_end_of_a_finished_batch_ends_the_stream(
    limited_server: LimitedServer,
) -> None:
    # Its own caller: waiting for the batch to finish takes some of the rate budget.
    async with httpx.AsyncClient(base_url=limited_server.base_url, timeout=60) as api:
        api.headers.update({"Authorization": f"Bearer probe-{uuid.uuid4().hex}"})
        batch_id = await finished_batch(api)
        lines: list[str] = []
        async with api.stream(
            "GET",
            f"/api/v1/batches/{batch_id}/events",
            headers={"Last-Event-ID": FAR_FUTURE_ID},
        ) as stream:
            assert stream.status_code == 200
            async for line in stream.aiter_lines():  # ends when the server ends the stream
                lines.append(line)
    # Nothing after the id, and at most one keep-alive before the end: no endless wait.
    assert not any(line.startswith("data:") for line in lines)
    assert sum(line.startswith(": keep-alive") for line in lines) <= 1


async def test_a_file_name_already_in_the_batch_is_409_unless_replaced_explicitly(
    limited_server: LimitedServer, api: httpx.AsyncClient
) -> None:
    batch_id = await new_batch(api)
    url = f"/api/v1/batches/{batch_id}/files/a.mcap"
    first = (await api.put(url, content=b"first")).json()
    assert first["sha256"] == hashlib.sha256(b"first").hexdigest()

    assert_error(await api.put(url, content=b"second"), 409, "file_exists")
    wrong = '"' + "0" * 64 + '"'
    assert_error(
        await api.put(url, content=b"second", headers={"If-Match": wrong}),
        412,
        "precondition_failed",
    )
    assert_error(
        await api.put(url, content=b"second", headers={"If-Match": "not-a-tag"}),
        400,
        "invalid_input",
    )
    assert_error(
        await api.put(
            f"/api/v1/batches/{batch_id}/files/new.mcap", content=b"x", headers={"If-Match": "*"}
        ),
        412,
        "precondition_failed",
    )
    # Refusals store nothing: the first file and its blob are untouched.
    assert limited_server.incoming() == []
    assert [p.read_bytes() for p in limited_server.blobs_of(batch_id)] == [b"first"]

    matched = await api.put(url, content=b"second", headers={"If-Match": f'"{first["sha256"]}"'})
    assert matched.status_code == 201, matched.text
    replaced = await api.put(url, content=b"third", params={"replace": "true"})
    assert replaced.status_code == 201, replaced.text
    # The old blobs went after each commit: one file, one blob, the newest bytes.
    assert [p.read_bytes() for p in limited_server.blobs_of(batch_id)] == [b"third"]
    status = (await api.get(f"/api/v1/batches/{batch_id}")).json()
    assert status["total_files"] == 1
