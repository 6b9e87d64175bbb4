"""A dependency-free template miner: masks variable tokens with regular expressions.

Exact-match on the masked text, so it never merges messages that differ in words (Drain does,
by similarity). A legitimate fallback when drain3 is unavailable, and the unit-test fake.
"""

from __future__ import annotations

import re

from argus.application.gather.ports import Template

__all__ = ["SimpleTemplateMiner", "mask_message"]

# Order matters: specific shapes first so that e.g. an IP is not masked as four numbers.
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b"), "<UUID>"),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "<IP>"),
    (re.compile(r"\b(?:[0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}\b"), "<MAC>"),
    (re.compile(r"\b0[xX][0-9a-fA-F]+\b"), "<HEX>"),
    # Long hex runs with at least one digit: hashes, message ids, serial numbers.
    (re.compile(r"\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b"), "<HEX>"),
    (re.compile(r"[-+]?(?<![A-Za-z0-9.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"), "<NUM>"),
)
_SPACES = re.compile(r"\s+")


def mask_message(message: str) -> str:
    """The message with variable parts replaced by `<NUM>`, `<HEX>`, `<IP>`… placeholders."""
    masked = message
    for pattern, placeholder in _MASKS:
        masked = pattern.sub(placeholder, masked)
    return _SPACES.sub(" ", masked).strip()


class SimpleTemplateMiner:
    """In-memory `TemplateMiner`; the masked message is its own template id."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def add(self, message: str) -> str:
        """Feed one message; return its template (which doubles as the id)."""
        template = mask_message(message)
        self._counts[template] = self._counts.get(template, 0) + 1
        return template

    def templates(self) -> list[Template]:
        """Every template seen so far, most frequent first (ties by text, for determinism)."""
        ordered = sorted(self._counts.items(), key=lambda item: (-item[1], item[0]))
        return [Template(template_id=t, template=t, count=n) for t, n in ordered]
