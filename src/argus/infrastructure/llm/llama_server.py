"""A llama.cpp chat server (llama-cpp-python, the `llm` extra) for a local GGUF model.

llama-cpp-python's server accepts `response_format: {"type": "json_object", "schema": …}` but
rejects the OpenAI form `{"type": "json_schema", "json_schema": {"schema": …}}` that
`OpenAiChatModel` (and the OpenAI SDKs) send, with a 422. `json_schema_as_json_object` rewrites
the second into the first in front of it, so both become the same grammar-constrained answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from argus.domain.errors import InvalidInput, Unavailable

__all__ = ["LlamaServerMissing", "json_schema_as_json_object", "llama_app"]

CHAT_PATH = "/v1/chat/completions"


class LlamaServerMissing(Unavailable):
    """llama-cpp-python's server is not installed (`pip install 'argus[llm]'`)."""

    code = "llama_server_missing"


def llama_app(*, model_path: Path, n_ctx: int, n_threads: int | None) -> ASGIApp:
    """The OpenAI-compatible server for one local GGUF file; it never downloads weights."""
    if not model_path.is_file():
        raise InvalidInput(f"model file not found: {model_path}")
    try:
        from llama_cpp.server.app import create_app
        from llama_cpp.server.settings import ModelSettings, ServerSettings
    except ImportError as exc:
        raise LlamaServerMissing(
            f"llama-cpp-python's server is not installed ({exc.name or exc}): "
            "pip install 'argus[llm]'"
        ) from exc
    # Its settings classes also read unprefixed environment variables (MODEL, API_KEY,
    # HF_MODEL_REPO_ID, …): what we pass wins, so the fields that would fetch from a model hub
    # stay empty whatever the environment says.
    model: dict[str, Any] = {
        "model": str(model_path),
        "model_alias": model_path.stem,  # what /v1/models lists
        "n_ctx": n_ctx,
        "verbose": False,
        "chat_format": None,  # the chat template inside the GGUF file
        "hf_model_repo_id": None,
        "hf_pretrained_model_name_or_path": None,
        "hf_tokenizer_config_path": None,
    }
    if n_threads is not None:
        model |= {"n_threads": n_threads, "n_threads_batch": n_threads}
    try:
        app: ASGIApp = create_app(
            server_settings=ServerSettings(api_key=None),
            model_settings=[ModelSettings(**model)],
        )
    except ValueError as exc:  # llama.cpp could not load the file
        raise InvalidInput(f"cannot load {model_path}: {exc}") from exc
    return json_schema_as_json_object(app)


def json_schema_as_json_object(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: the OpenAI `json_schema` response format in llama-cpp-python's form."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != CHAT_PATH:
            await app(scope, receive, send)
            return
        body = await _read_body(receive)
        body = _rewritten(body)
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:  # after the body, the server only waits for a disconnect
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await app({**scope, "headers": headers}, replay, send)

    return middleware


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _rewritten(body: bytes) -> bytes:
    """The request with `json_schema` turned into `json_object` + `schema`; else unchanged."""
    try:
        request = json.loads(body)
        response_format = request["response_format"]
        if response_format["type"] != "json_schema":
            return body
        schema = response_format["json_schema"]["schema"]
    except (ValueError, KeyError, TypeError):
        return body  # not ours to judge: the server answers it as it would
    request["response_format"] = {"type": "json_object", "schema": schema}
    return json.dumps(request).encode()
