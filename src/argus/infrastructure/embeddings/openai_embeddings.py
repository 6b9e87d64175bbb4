"""`OpenAiEmbedder`: the `Embedder` port over an OpenAI-compatible `/v1/embeddings` endpoint.

Works with OpenAI, vLLM, llama.cpp's server (`--embedding`), Ollama and text-embeddings-
inference. The width is declared (`ARGUS_EMBEDDING_DIMENSIONS`, checked against the pgvector
column at start) and asked for with `dimensions`; an answer of another width is refused, since
its vectors could not share the column. Vectors are L2-normalised here: not every server does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import httpx

from argus.domain.errors import Unavailable
from argus.infrastructure.llm.openai_http import openai_client

__all__ = ["EmbeddingFailed", "OpenAiEmbedder"]

BATCH_TEXTS = 64


class EmbeddingFailed(Unavailable):
    """The embedding endpoint gave no usable answer."""

    code = "embedding_failed"


class OpenAiEmbedder:
    """Texts in, unit vectors of the declared width out, `BATCH_TEXTS` texts per request."""

    def __init__(
        self,
        *,
        url: str,
        model: str,
        api_key: str | None,
        dimensions: int,
        timeout_s: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client, self._path = openai_client(
            url=url, route="/embeddings", api_key=api_key, timeout_s=timeout_s, transport=transport
        )
        self._model = model
        self._dimensions = dimensions

    @property
    def name(self) -> str:
        """`openai:<model>`: two models' vectors are not comparable either."""
        return f"openai:{self._model}"

    @property
    def dimensions(self) -> int:
        """The width of every vector."""
        return self._dimensions

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector per text, in order; EmbeddingFailed for an unusable answer."""
        out: list[list[float]] = []
        for start in range(0, len(texts), BATCH_TEXTS):
            out.extend(await self._request(list(texts[start : start + BATCH_TEXTS])))
        return out

    async def _request(self, texts: list[str]) -> list[list[float]]:
        body = {"model": self._model, "input": texts, "dimensions": self._dimensions}
        try:
            response = await self._client.post(self._path, json=body)
        except httpx.HTTPError as exc:
            raise EmbeddingFailed(f"embedding request failed: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise EmbeddingFailed(f"embedding HTTP {response.status_code}: {response.text[:200]}")
        try:
            data: list[dict[str, Any]] = response.json()["data"]
            ordered = sorted(data, key=lambda d: int(d.get("index", 0)))
            vectors = [[float(x) for x in d["embedding"]] for d in ordered]
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingFailed(f"not an embeddings answer: {exc!r}") from exc
        if len(vectors) != len(texts):
            raise EmbeddingFailed(f"{len(vectors)} embeddings for {len(texts)} texts")
        for vector in vectors:
            if len(vector) != self._dimensions:
                raise EmbeddingFailed(
                    f"the model {self._model!r} answers {len(vector)} dimensions, "
                    f"ARGUS_EMBEDDING_DIMENSIONS is {self._dimensions}"
                )
        return [_unit(v) for v in vectors]


def _unit(vector: list[float]) -> list[float]:
    length = math.sqrt(sum(x * x for x in vector))
    if length == 0.0:
        raise EmbeddingFailed("the endpoint answered a zero vector")
    return [x / length for x in vector]
