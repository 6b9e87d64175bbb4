"""The embedding port: texts in, unit vectors of a fixed width out (for pgvector retrieval)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

__all__ = ["Embedder"]


class Embedder(Protocol):
    """Turns texts (here: batch signatures, `BatchSignature.text()`) into vectors.

    Every vector has `dimensions` entries and unit L2 norm, so cosine distance ranks them.
    Vectors of different embedders are not comparable: a store keeps one embedder's vectors.
    """

    @property
    def name(self) -> str:
        """Which embedder made a vector: stored beside it, retrieval compares only equals."""
        ...

    @property
    def dimensions(self) -> int:
        """The width of every vector `embed` returns."""
        ...

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order."""
        ...
