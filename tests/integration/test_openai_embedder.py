"""The `/v1/embeddings` embedder against the stub server, and the width check at start."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from argus.domain.analysis.signature import hashed_embedding
from argus.domain.errors import InvalidInput
from argus.infrastructure.embeddings.openai_embeddings import EmbeddingFailed, OpenAiEmbedder
from argus.infrastructure.postgres.incident_memory import PostgresIncidentMemory
from tests.llm_stub import StubLlm, running_stub

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server() -> Iterator[StubLlm]:
    with running_stub() as stub:
        yield stub


async def test_vectors_come_back_in_order_unit_length_of_the_declared_width(
    server: StubLlm,
) -> None:
    embedder = OpenAiEmbedder(url=server.url + "/v1", model="m", api_key="k", dimensions=384)
    before = server.embedding_requests
    try:
        texts = [f"component:lidar\nlog:ERROR:drop {i}" for i in range(70)]
        vectors = await embedder.embed(texts)
    finally:
        await embedder.close()
    assert server.embedding_requests - before == 2  # 64 texts per request
    assert vectors[5] == pytest.approx(hashed_embedding(texts[5], 384))
    assert all(len(v) == 384 and math.isclose(sum(x * x for x in v), 1.0) for v in vectors)
    assert embedder.name == "openai:m"


async def test_an_answer_of_another_width_is_refused() -> None:
    with running_stub(embedding_dimensions=768) as stub:
        embedder = OpenAiEmbedder(url=stub.url, model="big", api_key=None, dimensions=384)
        try:
            with pytest.raises(EmbeddingFailed, match="768 dimensions"):
                await embedder.embed(["component:lidar"])
        finally:
            await embedder.close()


def test_an_embedder_narrower_or_wider_than_the_column_fails_at_start() -> None:
    embedder = OpenAiEmbedder(url="http://127.0.0.1:9", model="m", api_key=None, dimensions=768)
    pool: Any = None  # never reached: the width is checked first
    with pytest.raises(InvalidInput, match="openai:m embedder gives 768 dimensions"):
        PostgresIncidentMemory(
            pool, embedder=embedder, fleet_id="default", candidates=10, min_similarity=0.5
        )
