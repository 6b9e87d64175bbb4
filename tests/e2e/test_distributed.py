"""The end-to-end scenario again in the distributed mode: Kafka + MinIO + PostgreSQL + Redis,
every role a separate process, ingest on one port and reads on another."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from argus.cli.client import ArgusClient
from tests.e2e.cluster import Cluster
from tests.e2e.helpers import file_events, follow_to_end, statuses, upload_batch

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


async def test_ingest_and_query_are_separate_services(cluster: Cluster) -> None:
    async with httpx.AsyncClient() as http:
        assert (
            await http.post(f"{cluster.query_url}/api/v1/batches", json={"vehicle_id": "v"})
        ).status_code in (404, 405)
        assert (await http.get(f"{cluster.ingest_url}/api/report/nope")).status_code == 404
        assert (await http.get(f"{cluster.ingest_url}/healthz")).status_code == 200
