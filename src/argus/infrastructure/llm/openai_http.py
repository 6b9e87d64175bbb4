"""The one way the OpenAI-protocol adapters open their HTTP client (chat, embeddings)."""

from __future__ import annotations

import httpx

__all__ = ["openai_client"]


def openai_client(
    *,
    url: str,
    route: str,
    api_key: str | None,
    timeout_s: float,
    transport: httpx.AsyncBaseTransport | None,
) -> tuple[httpx.AsyncClient, str]:
    """A client for the server at `url` and the path of `route` (e.g. "/chat/completions").

    Both spellings of `url` work: the server's root, or the OpenAI SDKs' base URL ending in /v1.
    """
    headers = {} if api_key is None else {"Authorization": f"Bearer {api_key}"}
    base = url.rstrip("/")
    path = route if base.endswith("/v1") else f"/v1{route}"
    client = httpx.AsyncClient(
        base_url=base, headers=headers, timeout=timeout_s, transport=transport
    )
    return client, path
