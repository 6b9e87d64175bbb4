"""Language-model adapters: OpenAI-compatible chat completions over HTTP."""

from argus.infrastructure.llm.openai_chat import OpenAiChatModel
from argus.infrastructure.llm.tiktoken_counter import TiktokenCounter

__all__ = ["OpenAiChatModel", "TiktokenCounter"]
