"""Log template mining: the `TemplateMiner` protocol gather uses (adapters in infrastructure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Template", "TemplateMiner"]


@dataclass(frozen=True, slots=True)
class Template:
    """A log message shape with its variable parts masked, and how many messages matched it."""

    template_id: str
    template: str
    count: int


class TemplateMiner(Protocol):
    """Groups log messages that differ only in their variable parts (numbers, ids, addresses)."""

    def add(self, message: str) -> str:
        """Feed one message; return the id of the template it was assigned to."""
        ...

    def templates(self) -> list[Template]:
        """Every template seen so far, most frequent first."""
        ...
