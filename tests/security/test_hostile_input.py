"""Hostile input against a real server: control characters are 400 (never 500), a
`Last-Event-ID` is bounded, and a file name already in the batch is never silently replaced."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from tests.identity import Identities
from tests.security.serving import LimitedServer, Probe, assert_error, new_batch, vehicle_client

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
    probe: Probe, method: str, path: str
) -> None:
    assert_error(await probe.request(method, path), 400, "invalid_input")


@pytest.mark.parametrize("batch_id", ["b\u0000", "b\n"])
async def test_control_characters_in_ids_are_400(probe: Probe, batch_id: str) -> None:
    body = {"vehicle_id": probe.vehicle_id, "batch_id": batch_id}
    assert_error(await probe.post("/api/v1/batches", json=body), 400, "invalid_input")


async def test_a_vehicle_id_with_control_characters_is_refused_never_500(probe: Probe) -> None:
    # No token belongs to such a vehicle (ids are validated when vehicles are registered), so
    # the ownership check refuses it before the id is parsed: 403, the JSON body, nothing stored.
    body = {"vehicle_id": f"{probe.vehicle_id}\u0000", "batch_id": "b-1"}
    assert_error(await probe.post("/api/v1/batches", json=body), 403, "forbidden")
    listed = await probe.get("/api/v1/batches")
    assert listed.json()["total"] == 0


async def test_control_characters_in_feedback_are_400(probe: Probe, probe_engineer: Probe) -> None:
    batch_id = await new_batch(probe)
    url = f"/api/v1/batches/{batch_id}/diagnosis/feedback"
    for body in (
        {"verdict": "confirmed", "note": "brown-out\u0000"},
        {"verdict": "corrected", "component": "po\u0007wer"},
    ):
        # Feedback is an engineer's: the one caller allowed to send it gets the 400.
        assert_error(await probe_engineer.post(url, json=body), 400, "invalid_input")


@pytest.mark.parametrize(
    "last_id", ["abc", "1-2-3", f"{1 << 64}-0", f"0-{1 << 64}", "9" * 21 + "-0"]
)
async def test_a_malformed_or_out_of_range_last_event_id_is_400(probe: Probe, last_id: str) -> None:
    batch_id = await new_batch(probe)
    response = await probe.get(
        f"/api/v1/batches/{batch_id}/events", headers={"Last-Event-ID": last_id}
    )
    assert_error(response, 400, "invalid_input")


async def finished_batch(probe: Probe) -> str:
    """A batch in a final state: its one file is not an MCAP file, so it fails to parse."""
    batch_id = await new_batch(probe)
    await probe.put(f"/api/v1/batches/{batch_id}/files/junk.mcap", content=b"not an mcap file")
    assert (await probe.post(f"/api/v1/batches/{batch_id}/complete")).status_code == 202
    for _ in range(600):
        status = (await probe.get(f"/api/v1/batches/{batch_id}")).json()["status"]
        if status in {"completed", "completed_with_errors", "failed"}:
            return batch_id
        await asyncio.sleep(0.1)
    pytest.fail(f"batch {batch_id} did not finish: {status}")


async def test_an_id_past_the_end_of_a_finished_batch_ends_the_stream(
    limited_server: LimitedServer, sec_identities: Identities
) -> None:
    # Its own caller: waiting for the batch to finish takes some of the rate budget.
    async with vehicle_client(limited_server, sec_identities) as probe:
        batch_id = await finished_batch(probe)
        lines: list[str] = []
        async with probe.stream(
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
    limited_server: LimitedServer, probe: Probe
) -> None:
    batch_id = await new_batch(probe)
    url = f"/api/v1/batches/{batch_id}/files/a.mcap"
    first = (await probe.put(url, content=b"first")).json()
    assert first["sha256"] == hashlib.sha256(b"first").hexdigest()

    assert_error(await probe.put(url, content=b"second"), 409, "file_exists")
    wrong = '"' + "0" * 64 + '"'
    assert_error(
        await probe.put(url, content=b"second", headers={"If-Match": wrong}),
        412,
        "precondition_failed",
    )
    assert_error(
        await probe.put(url, content=b"second", headers={"If-Match": "not-a-tag"}),
        400,
        "invalid_input",
    )
    assert_error(
        await probe.put(
            f"/api/v1/batches/{batch_id}/files/new.mcap", content=b"x", headers={"If-Match": "*"}
        ),
        412,
        "precondition_failed",
    )
    # Refusals store nothing: the first file and its blob are untouched.
    assert limited_server.incoming() == []
    assert [p.read_bytes() for p in limited_server.blobs_of(batch_id)] == [b"first"]

    matched = await probe.put(url, content=b"second", headers={"If-Match": f'"{first["sha256"]}"'})
    assert matched.status_code == 201, matched.text
    replaced = await probe.put(url, content=b"third", params={"replace": "true"})
    assert replaced.status_code == 201, replaced.text
    # The old blobs went after each commit: one file, one blob, the newest bytes.
    assert [p.read_bytes() for p in limited_server.blobs_of(batch_id)] == [b"third"]
    status = (await probe.get(f"/api/v1/batches/{batch_id}")).json()
    assert status["total_files"] == 1
