"""The end-to-end scenario again in the distributed mode: Kafka + MinIO + PostgreSQL + Redis,
every role a separate process, ingest on one port and reads on another."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import httpx
import pytest

from argus.cli.client import ArgusClient
from argus.domain.batch import ABANDONED_UPLOAD
from argus.infrastructure.s3.blob_store import S3BlobStore
from tests.e2e.cluster import Cluster
from tests.e2e.helpers import file_events, follow_to_end, statuses, upload_batch
from tests.identity import FleetAuth, Identities
from tests.services_s3 import MinioServer

pytestmark = pytest.mark.e2e


async def test_the_distributed_pipeline_diagnoses_a_lidar_dropout(
    dist_client: ArgusClient, cluster: Cluster, drive: list[Path], batch_id: str
) -> None:
    await upload_batch(dist_client, batch_id, drive)
    events = await follow_to_end(dist_client, batch_id)
    assert statuses(events) == ["uploaded", "scattering", "gathering", "diagnosing", "completed"], (
        cluster.logs()
    )
    assert len(file_events(events, "file_parsed")) == len(drive)
    status, report = await dist_client.report(batch_id)
    assert status == 200 and report["diagnosis"]["component"] == "lidar"


async def test_ingest_and_query_are_separate_services(
    cluster: Cluster, dist_identities: Identities
) -> None:
    async with httpx.AsyncClient(auth=FleetAuth(dist_identities)) as http:
        assert (
            await http.post(f"{cluster.query_url}/api/v1/batches", json={"vehicle_id": "v"})
        ).status_code in (404, 405)
        assert (await http.get(f"{cluster.ingest_url}/api/report/nope")).status_code == 404
        assert (await http.get(f"{cluster.ingest_url}/healthz")).status_code == 200


async def test_every_worker_role_reports_that_it_is_alive(cluster: Cluster) -> None:
    from redis.asyncio import Redis

    assert cluster.redis is not None
    redis = Redis.from_url(cluster.redis.url)
    try:
        for _ in range(100):  # the first beats are written within a moment of starting
            keys = {k.decode().split(":")[2] async for k in redis.scan_iter("argus:health:*")}
            if {"orchestrator", "aggregator", "agent", "parser"} <= keys:
                break
            await asyncio.sleep(0.1)
        assert {"orchestrator", "aggregator", "agent", "parser"} <= keys
    finally:
        await redis.aclose()


async def test_the_orchestrator_fails_an_abandoned_upload_and_deletes_its_object(
    dist_client: ArgusClient, cluster: Cluster, minio: MinioServer, drive: list[Path], batch_id: str
) -> None:
    await upload_batch(dist_client, batch_id, drive[:1], complete=False)
    key = (await _file_keys(cluster, batch_id))[0]
    store = S3BlobStore(minio.settings(cluster.bucket))
    await store.open()
    try:
        assert await store.exists(key)
        conn = await asyncpg.connect(cluster.env["ARGUS_PG_URL"])
        try:  # the vehicle went silent a day and a minute ago
            await conn.execute(
                "UPDATE batches SET updated_at = now() - interval '1 day 1 minute'"
                " WHERE batch_id = $1",
                batch_id,
            )
        finally:
            await conn.close()
        events = await follow_to_end(dist_client, batch_id)
        assert statuses(events)[-1] == "failed", cluster.logs()
        status = await dist_client.status(batch_id)
        assert status["failure_reason"].startswith(ABANDONED_UPLOAD)
        for _ in range(50):
            if not await store.exists(key):
                break
            await asyncio.sleep(0.1)
        assert not await store.exists(key)
    finally:
        await store.close()


async def _file_keys(cluster: Cluster, batch_id: str) -> list[str]:
    conn = await asyncpg.connect(cluster.env["ARGUS_PG_URL"])
    try:
        rows = await conn.fetch("SELECT blob_key FROM files WHERE batch_id = $1", batch_id)
    finally:
        await conn.close()
    return [row["blob_key"] for row in rows]
