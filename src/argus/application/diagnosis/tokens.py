"""The default token counter: an upper bound that holds for every byte-level BPE tokenizer."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from argus.application.diagnosis.ports import ChatMessage

__all__ = ["MESSAGE_OVERHEAD", "REPLY_PRIMING", "ByteBoundCounter", "count_messages"]

# Chat templates wrap each message in a few special tokens (`<|im_start|>role\n … <|im_end|>\n`
# is 5 in ChatML); 8 covers the templates of OpenAI, Qwen, Llama 3 and Mistral.
MESSAGE_OVERHEAD = 8
# Tokens the template adds to start the assistant's reply.
REPLY_PRIMING = 8


def count_messages(count: Callable[[str], int], messages: Sequence[ChatMessage]) -> int:
    """A whole prompt's tokens from a text counter: the texts plus the template's overhead."""
    body = sum(count(m.role) + count(m.content) for m in messages)
    return body + MESSAGE_OVERHEAD * len(messages) + REPLY_PRIMING


class ByteBoundCounter:
    """One token per UTF-8 byte: byte-level BPE starts from single bytes and only merges them.

    Exact tokenizers count 3-4 times fewer tokens for English and log text; this bound costs
    budget but can never be exceeded by the server's count, whatever the model.
    """

    def count(self, text: str) -> int:
        """Tokens of one text (its UTF-8 length)."""
        return len(text.encode("utf-8"))

    def count_messages(self, messages: Sequence[ChatMessage]) -> int:
        """Tokens of a whole prompt."""
        return count_messages(self.count, messages)
