"""Language-model adapters: OpenAI-compatible chat completions over HTTP."""

from argus.infrastructure.llm.openai_chat import OpenAiChatModel

__all__ = ["OpenAiChatModel"]
