"""`OpenAiChatModel`: the `ChatModel` port over an OpenAI-compatible `/v1/chat/completions`.

Works with vLLM, llama.cpp's server, Ollama and OpenAI. Retries 429, 5xx, timeouts and broken
connections a bounded number of times with exponential backoff; every other failure, and the
last retry's, becomes `ModelFailed`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx

from argus.application.diagnosis.ports import ChatMessage, ChatReply, ModelFailed
from argus.infrastructure.llm.openai_http import openai_client

__all__ = ["OpenAiChatModel"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class OpenAiChatModel:
    """Chat completions with a JSON-schema `response_format`, temperature 0."""

    def __init__(
        self,
        *,
        url: str,
        model: str,
        api_key: str | None,
        timeout_s: float,
        max_retries: int,
        backoff_s: float,
        max_completion_tokens: int,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client, self._path = openai_client(
            url=url,
            route="/chat/completions",
            api_key=api_key,
            timeout_s=timeout_s,
            transport=transport,
        )
        self._model = model
        self._max_retries = max_retries
        self._backoff_s = backoff_s
        self._max_completion_tokens = max_completion_tokens

    @property
    def name(self) -> str:
        """The model name sent with each request."""
        return self._model

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()

    async def complete(
        self, messages: Sequence[ChatMessage], *, schema: dict[str, object]
    ) -> ChatReply:
        """One answer; `ModelFailed` after the retries, or at once for an unusable reply."""
        body = {
            "model": self._model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": 0,
            "max_tokens": self._max_completion_tokens,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "diagnosis", "schema": schema, "strict": False},
            },
        }
        attempts = 0
        while True:
            attempts += 1
            try:
                response = await self._client.post(self._path, json=body)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if attempts > self._max_retries:
                    raise ModelFailed(f"{type(exc).__name__}: {exc}", attempts=attempts) from exc
            else:
                if response.status_code not in RETRY_STATUSES or attempts > self._max_retries:
                    return _reply(response, self._model, attempts)
            await asyncio.sleep(min(self._backoff_s * 2 ** (attempts - 1), 30.0))


def _reply(response: httpx.Response, model: str, attempts: int) -> ChatReply:
    if response.status_code != 200:
        raise ModelFailed(f"HTTP {response.status_code}: {response.text[:200]}", attempts=attempts)
    try:
        data: dict[str, Any] = response.json()
        content = data["choices"][0]["message"]["content"]
        usage = data.get("usage")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ModelFailed(f"not a chat completion: {exc!r}", attempts=attempts) from exc
    if not isinstance(usage, dict):
        usage = {}
    if not isinstance(content, str):
        raise ModelFailed("the completion has no text content", attempts=attempts)
    return ChatReply(
        content=content,
        model=str(data.get("model") or model),
        prompt_tokens=_int(usage.get("prompt_tokens")),
        completion_tokens=_int(usage.get("completion_tokens")),
        attempts=attempts,
    )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None
