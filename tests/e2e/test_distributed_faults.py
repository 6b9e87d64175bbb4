"""Faults in the distributed mode: each ends with the batch finished and every file counted
exactly once (the per-file outcome in PostgreSQL, one barrier opening, one progress entry)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from argus.cli.client import ArgusClient
from argus.infrastructure.s3.blob_store import S3BlobStore
from argus.loggen import generate_batch, parse_fault
from tests.e2e.cluster import Cluster
from tests.e2e.helpers import file_events, follow_to_end, statuses, upload_batch
from tests.identity import FleetAuth, Identities
from tests.services_kafka import KafkaServer
from tests.services_s3 import MinioServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def slow_drive(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Files that take ~1.5 s each to read through the parsers' throttled storage link."""
    out = tmp_path_factory.mktemp("slow-drive")
    return generate_batch(
        out, files=4, seed=5, target_bytes_per_file=6_000_000, faults=[parse_fault("lidar-dropout")]
    )


def assert_finished_once(
    events: list[tuple[str, dict[str, Any]]], files: int, cluster: Cluster
) -> None:
    assert statuses(events)[-1] == "completed", cluster.logs()
    assert statuses(events).count("gathering") == 1
    parsed = file_events(events, "file_parsed")
    assert len(parsed) == len(set(parsed)) == files


async def wait_for(predicate: Any, what: str, cluster: Cluster, timeout_s: float = 60) -> Any:
    for _ in range(int(timeout_s / 0.05)):
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}:\n{cluster.logs()}")


def mid_file(cluster: Cluster, batch_id: str) -> tuple[str, str] | None:
    """A parser that logged `parsing` of a file of `batch_id` but not `parsed` yet."""
    for name in ("parser-1", "parser-2"):
        text = cluster.log_of(name)
        started = set(re.findall(rf"parsing file (\w+) of batch {batch_id}", text))
        done = set(re.findall(rf"parsed file (\w+) of batch {batch_id}", text))
        if started - done:
            return name, sorted(started - done)[0]
    return None


async def test_a_parser_killed_mid_file_is_replaced_and_the_file_parsed_once(
    dist_client: ArgusClient, cluster: Cluster, slow_drive: list[Path], batch_id: str
) -> None:
    await upload_batch(dist_client, batch_id, slow_drive)
    victim, file_id = await wait_for(
        lambda: mid_file(cluster, batch_id), "a parser mid-file", cluster
    )
    cluster.kill(victim)
    cluster.start(victim)  # as a process manager would
    events = await follow_to_end(dist_client, batch_id)
    assert_finished_once(events, len(slow_drive), cluster)
    logs = cluster.log_of("parser-1") + cluster.log_of("parser-2")
    assert len(re.findall(rf"parsing file {file_id} ", logs)) >= 2  # taken over, parsed again


async def test_the_orchestrator_killed_mid_batch_resumes_from_its_last_commit(
    dist_client: ArgusClient, cluster: Cluster, slow_drive: list[Path], batch_id: str
) -> None:
    await upload_batch(dist_client, batch_id, slow_drive)
    await wait_for(lambda: mid_file(cluster, batch_id), "parsing to start", cluster)
    cluster.kill("orchestrator")
    await asyncio.sleep(1.0)
    cluster.start("orchestrator")
    events = await follow_to_end(dist_client, batch_id)
    assert_finished_once(events, len(slow_drive), cluster)


async def test_redis_restarted_empty_mid_batch_the_barrier_is_rebuilt(
    dist_client: ArgusClient, cluster: Cluster, slow_drive: list[Path], batch_id: str
) -> None:
    assert cluster.redis is not None
    await upload_batch(dist_client, batch_id, slow_drive)
    await wait_for(
        lambda: (
            "parsed file" in cluster.log_of("parser-1") + cluster.log_of("parser-2")
            and mid_file(cluster, batch_id)
        ),
        "one file parsed, others in flight",
        cluster,
    )
    cluster.redis.stop()
    cluster.redis.start()  # no persistence: barrier, cache and progress are gone
    await wait_for(
        lambda: (batch_status(cluster, batch_id) or "").startswith("completed"),
        "the batch to finish",
        cluster,
    )
    status, report = await dist_client.report(batch_id)
    assert status == 200 and report["status"] == "completed"
    assert "rebuilding it from PostgreSQL" in cluster.log_of("orchestrator")
    overview = await dist_client.status(batch_id)
    assert overview["files"]["parsed"] == len(slow_drive)


def batch_status(cluster: Cluster, batch_id: str) -> str | None:
    response = httpx.get(
        f"{cluster.query_url}/api/v1/batches/{batch_id}", headers=cluster.read_headers, timeout=5
    )
    return str(response.json()["status"]) if response.status_code == 200 else None


async def test_an_upload_cut_off_mid_stream_leaves_no_object_and_no_multipart_upload(
    cluster: Cluster, minio: MinioServer, batch_id: str, dist_identities: Identities
) -> None:
    auth = FleetAuth(dist_identities)
    async with httpx.AsyncClient(base_url=cluster.ingest_url, auth=auth) as http:
        await http.post("/api/v1/batches", json={"vehicle_id": "veh-1", "batch_id": batch_id})
    token = await dist_identities.vehicle("veh-1")
    url = httpx.URL(cluster.ingest_url)
    _reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(
        f"PUT /api/v1/batches/{batch_id}/files/cut.mcap HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\n"
        f"Content-Length: {30 * 1024 * 1024}\r\n\r\n".encode()
    )
    for _ in range(12):  # 12 MiB: at least one 5 MiB part is already in MinIO
        writer.write(b"\0" * (1024 * 1024))
        await writer.drain()
    writer.close()  # the vehicle lost its connection
    store = S3BlobStore(minio.settings(cluster.bucket))
    await store.open()
    try:
        prefix = f"batches/{batch_id}/"
        for _ in range(100):
            if not await store.list_multipart_uploads(prefix):
                break
            await asyncio.sleep(0.1)
        assert await store.list_multipart_uploads(prefix) == []
        async with httpx.AsyncClient(base_url=cluster.query_url, auth=auth) as http:
            assert (await http.get(f"/api/v1/batches/{batch_id}")).json()["total_files"] == 0
    finally:
        await store.close()


async def test_the_kafka_broker_restarted_mid_batch(
    dist_client: ArgusClient,
    cluster: Cluster,
    kafka: KafkaServer,
    slow_drive: list[Path],
    batch_id: str,
) -> None:
    await upload_batch(dist_client, batch_id, slow_drive)
    await wait_for(lambda: mid_file(cluster, batch_id), "parsing to start", cluster)
    await asyncio.to_thread(kafka.run, "stop")
    await asyncio.to_thread(kafka.run, "start")
    events = await follow_to_end(dist_client, batch_id)
    assert_finished_once(events, len(slow_drive), cluster)


async def test_a_poison_file_that_crashes_every_parser_is_dead_lettered(
    dist_client: ArgusClient,
    cluster: Cluster,
    kafka: KafkaServer,
    slow_drive: list[Path],
    batch_id: str,
) -> None:
    """The worker that picks the poison file up dies every time (the test kills it, as a
    crash in the parser would): after `max_deliveries` the message goes to the dead-letter
    topic, the file fails with the reason, and the batch ends completed_with_errors."""
    await dist_client.create_batch(vehicle_id="veh-e2e", batch_id=batch_id)
    uploaded = [
        await dist_client.upload(batch_id, p, on_bytes=lambda _n: None) for p in slow_drive[:3]
    ]
    poison = uploaded[0]["file_id"]
    await dist_client.complete(batch_id)
    kills = 0
    seen = {"parser-1": 0, "parser-2": 0}  # deliveries of the poison file already answered
    for _ in range(1200):
        if (batch_status(cluster, batch_id) or "").startswith("completed"):
            break
        for name in seen:
            started = cluster.log_of(name).count(f"parsing file {poison} ")
            if started > seen[name]:  # a new delivery began: this worker "crashes" on it
                cluster.kill(name)
                cluster.start(name)
                seen[name] = started
                kills += 1
        await asyncio.sleep(0.05)
    assert batch_status(cluster, batch_id) == "completed_with_errors", cluster.logs()
    assert kills >= 3
    status, report = await dist_client.report(batch_id)
    assert status == 200 and report["summary"]["totals"]["failed"] == 1
    assert await dead_lettered(kafka, cluster, poison)


async def dead_lettered(kafka: KafkaServer, cluster: Cluster, file_id: str) -> bool:
    """True when the dead-letter topic holds the poison message, with the error in a header."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        f"{cluster.topic_prefix}.events.dead-letter",
        **kafka.client_options(),
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=5000)
        for records in batches.values():
            for record in records:
                headers = dict(record.headers)
                if file_id.encode() in (record.value or b"") and b"kept dying" in headers.get(
                    "error", b""
                ):
                    return True
        return False
    finally:
        await consumer.stop()
