"""`argus serve` with `ARGUS_DIAGNOSER=llm` against the stub model server: the report says
which engine, model and tokens produced the diagnosis, and the model ran once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from argus.cli.client import ArgusClient
from tests.conftest import Servers
from tests.e2e.conftest import RunningServer, serve
from tests.e2e.helpers import follow_to_end, upload_batch
from tests.identity import FleetAuth, open_identities
from tests.llm_stub import StubLlm, running_stub

pytestmark = pytest.mark.e2e

BUDGET = 3000
DATABASE = "argus_llm"


@pytest.fixture(scope="module")
def stub() -> Iterator[StubLlm]:
    with running_stub() as server:
        yield server


@pytest.fixture(scope="module")
def llm_server(
    servers: Servers, stub: StubLlm, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    servers.postgres.create_database(DATABASE)  # owned by the app role, with pgvector
    with serve(
        servers,
        tmp_path_factory.mktemp("argus-llm"),
        database=DATABASE,
        redis_db=15,  # 2-14 are flushed by the bus tests
        ARGUS_PARSER_WORKERS="1",
        ARGUS_DIAGNOSER="llm",
        ARGUS_LLM_URL=stub.url,
        ARGUS_LLM_MODEL="stub-model",
        ARGUS_LLM_API_KEY="not-a-real-key",
        ARGUS_DIAGNOSIS_TOKEN_BUDGET=str(BUDGET),
    ) as running:
        yield running


@pytest.fixture
async def llm_client(llm_server: RunningServer) -> AsyncIterator[ArgusClient]:
    timeout = httpx.Timeout(30, read=120)
    identities, pool = await open_identities(llm_server.pg_url)
    async with httpx.AsyncClient(
        base_url=llm_server.base_url, timeout=timeout, auth=FleetAuth(identities)
    ) as http:
        yield ArgusClient(http)
    await pool.close()


async def test_the_report_shows_the_model_its_tokens_and_one_call(
    llm_client: ArgusClient, stub: StubLlm, drive: list[Path], batch_id: str
) -> None:
    before = stub.calls
    await upload_batch(llm_client, batch_id, drive)
    await follow_to_end(llm_client, batch_id)
    status, report = await llm_client.report(batch_id)
    assert status == 200
    diagnosis = report["diagnosis"]
    assert diagnosis["engine"] == "llm" and diagnosis["fallback_reason"] is None
    assert diagnosis["component"] == "lidar"
    assert diagnosis["model"] == "stub-model"
    assert diagnosis["llm_calls"] == 1 == stub.calls - before
    assert diagnosis["token_budget"] == BUDGET
    assert 0 < diagnosis["prompt_tokens"] <= BUDGET
    assert diagnosis["completion_tokens"] > 0
    anomaly_ids = set(diagnosis["cited_evidence_ids"])
    assert anomaly_ids and all(step["evidence_ids"] for step in diagnosis["chain"])
    assert diagnosis["precedents"] == []
