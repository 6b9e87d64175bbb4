"""The default embedder: signed feature hashing of a signature's lines; no model, no I/O."""

from __future__ import annotations

from collections.abc import Sequence

from argus.domain.analysis.signature import EMBEDDING_DIMENSIONS, hashed_embedding

__all__ = ["HashedSignatureEmbedder"]


class HashedSignatureEmbedder:
    """Deterministic across processes and machines: equal signatures, equal vectors."""

    name = "hashed"

    def __init__(self, dimensions: int = EMBEDDING_DIMENSIONS) -> None:
        self._dimensions = dimensions

    @property
    def dimensions(self) -> int:
        """The width of every vector."""
        return self._dimensions

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One hashed vector per text (each line of a text is one feature)."""
        return [hashed_embedding(text, self._dimensions) for text in texts]
