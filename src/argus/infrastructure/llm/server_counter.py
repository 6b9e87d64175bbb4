"""`ServerTokenCounter`: exact prompt token counts from the model's own server.

llama.cpp's server counts with `POST /tokenize {"content": …}` → `{"tokens": […]}`;
llama-cpp-python's server (`argus llm serve`) has no `/tokenize` but
`POST /extras/tokenize/count {"input": …}` → `{"count": n}`. The first route that exists is
used. A server with neither (vLLM, Ollama, OpenAI: 404) gets the byte bound for good, and
`fallback_reason` says so; a failed request (timeout, 5xx) gets the byte bound for that text
only. Both bounds are upper bounds, so a prompt counted with a mix still fits the budget.

The port is synchronous (the prompt builder counts line by line): this adapter blocks on HTTP,
so `LlmDiagnoser` builds prompts in a worker thread. Counts are cached by the text's hash in a
bounded LRU: the instructions and unchanged evidence lines are asked for once.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import httpx

from argus.application.diagnosis.ports import ChatMessage
from argus.application.diagnosis.tokens import ByteBoundCounter, count_messages

__all__ = ["CACHE_ENTRIES", "ROUTES", "ServerTokenCounter"]

log = logging.getLogger(__name__)

CACHE_ENTRIES = 4096
# (path, the request's text field), in the order they are tried.
ROUTES: tuple[tuple[str, str], ...] = (
    ("/tokenize", "content"),
    ("/extras/tokenize/count", "input"),
)
_MISSING = 404


class ServerTokenCounter:
    """The `TokenCounter` port, answered by the server that runs the model."""

    def __init__(
        self,
        *,
        url: str,
        api_key: str | None,
        timeout_s: float = 10.0,
        cache_entries: int = CACHE_ENTRIES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {} if api_key is None else {"Authorization": f"Bearer {api_key}"}
        base = url.rstrip("/")
        # The chat URL may end in /v1; the tokenizer routes live at the server's root.
        base = base.removesuffix("/v1")
        self._client = httpx.Client(
            base_url=base, headers=headers, timeout=timeout_s, transport=transport
        )
        self._bound = ByteBoundCounter()
        self._lock = threading.Lock()
        self._cache: OrderedDict[bytes, int] = OrderedDict()
        self._entries = cache_entries
        self._routes = list(ROUTES)
        self.requests = 0  # HTTP requests made (tests count them)
        self.fallback_reason: str | None = None

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def count(self, text: str) -> int:
        """Tokens of one text: the server's count, cached; the byte bound when it has none."""
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        counted = self._ask(text)
        if counted is None:
            return self._bound.count(text)
        with self._lock:
            self._cache[key] = counted
            while len(self._cache) > self._entries:
                self._cache.popitem(last=False)
        return counted

    def count_messages(self, messages: Sequence[ChatMessage]) -> int:
        """Tokens of a whole prompt, the chat template's overhead included."""
        return count_messages(self.count, messages)

    def _ask(self, text: str) -> int | None:
        while self._routes:
            path, field = self._routes[0]
            try:
                self.requests += 1
                response = self._client.post(path, json={field: text})
            except httpx.HTTPError as exc:
                log.warning("token count from %s failed (%s): byte bound used", path, exc)
                return None
            if response.status_code == _MISSING:
                with self._lock:
                    if self._routes and self._routes[0][0] == path:
                        self._routes.pop(0)
                continue
            return _count(response, path)
        if self.fallback_reason is None:
            self.fallback_reason = "the server has no /tokenize: byte bound used"
            log.warning("%s", self.fallback_reason)
        return None


def _count(response: httpx.Response, path: str) -> int | None:
    if response.status_code != 200:
        log.warning("token count from %s: HTTP %s: byte bound used", path, response.status_code)
        return None
    try:
        data: Any = response.json()
        counted = data["count"] if "count" in data else len(data["tokens"])
    except (ValueError, KeyError, TypeError):
        log.warning("token count from %s: not a tokenizer answer: byte bound used", path)
        return None
    return counted if isinstance(counted, int) and counted >= 0 else None
