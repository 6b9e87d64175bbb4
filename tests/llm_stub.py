"""A deterministic OpenAI-protocol server for tests: real HTTP, injectable faults, counted calls.

It answers `/v1/chat/completions` by citing the first evidence line of the prompt (the highest
score) and naming its component, unless a close precedent was corrected by an engineer to a
component that has an evidence line: then it follows the correction. `fail_next` queues
faults for the next requests. Like a llama.cpp server it counts tokens at `POST /tokenize`
(`stub_tokens`: words cut into pieces of at most four bytes, so a token is never more than one
per byte) and reports the prompt's `usage` with the same tokenizer; `/v1/embeddings` answers
hashed vectors (deterministic).
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from argus.domain.analysis.corrections import FOLLOW_SIMILARITY
from argus.domain.analysis.signature import hashed_embedding
from argus.infrastructure.embedded.process import free_port
from argus.infrastructure.llm import OpenAiChatModel

FAULTS = ("429", "500", "hang", "bad_json", "unknown_ids", "no_usage", "not_a_completion")
# A hung request outlasts the client timeout the tests set (a fault, not a measured timing).
HANG_S = 2.0
_WORD = re.compile(r"\S+")
# Special tokens around each message and before the reply (ChatML: `<|im_start|>role\n`…).
STUB_MESSAGE_OVERHEAD = 5
STUB_REPLY_PRIMING = 3
_CORRECTED = re.compile(
    r"^- corrected, similarity (?P<similarity>[0-9.]+): (?P<component>[a-z_0-9]+),", re.MULTILINE
)
_LINE = re.compile(r"^\[(?P<id>[^\]]+)\] (?:\S+ )?(?P<component>[a-z_0-9]+): ", re.MULTILINE)


class StubLlm:
    """The server's state: requests seen (parsed bodies) and faults still to inject."""

    def __init__(self, *, tokenize: bool = True, embedding_dimensions: int | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.tokenize_requests = 0
        self.embedding_requests = 0
        self._tokenize = tokenize
        # Answer this width whatever is asked (None: the requested `dimensions`, else 384).
        self._embedding_dimensions = embedding_dimensions
        self._faults: deque[str] = deque()
        self.url = ""
        self.model = "stub-model"

    @property
    def calls(self) -> int:
        """Chat completion requests received, failed ones included."""
        return len(self.requests)

    def fail_next(self, *faults: str) -> None:
        """Inject these faults, one per coming request, in order."""
        assert all(f in FAULTS for f in faults), faults
        self._faults.extend(faults)

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        fault = self._faults.popleft() if self._faults else None
        if fault == "429":
            return JSONResponse({"error": {"message": "slow down"}}, status_code=429)
        if fault == "500":
            return JSONResponse({"error": {"message": "boom"}}, status_code=500)
        if fault == "not_a_completion":
            return JSONResponse({"object": "list", "data": []})
        if fault == "hang":
            await asyncio.sleep(HANG_S)
        prompt = "\n".join(m["content"] for m in body["messages"])
        content = "{not json" if fault == "bad_json" else json.dumps(_answer(prompt, fault))
        reply: dict[str, Any] = {
            "id": f"chatcmpl-{self.calls}",
            "object": "chat.completion",
            "model": body.get("model") or self.model,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content},
                }
            ],
        }
        if fault != "no_usage":
            reply["usage"] = {
                "prompt_tokens": prompt_tokens(body["messages"]),
                "completion_tokens": len(stub_tokens(content)),
            }
        return JSONResponse(reply)

    async def _tokenize_route(self, request: Request) -> Response:
        self.tokenize_requests += 1
        body = await request.json()
        return JSONResponse({"tokens": stub_tokens(str(body["content"]))})

    async def _embeddings(self, request: Request) -> Response:
        self.embedding_requests += 1
        body = await request.json()
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        width = self._embedding_dimensions or int(body.get("dimensions") or 384)
        data = [
            {"object": "embedding", "index": i, "embedding": hashed_embedding(text, width)}
            for i, text in enumerate(texts)
        ]
        return JSONResponse({"object": "list", "data": data, "model": body.get("model")})

    async def _models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": self.model, "object": "model"}]})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
                Route("/v1/embeddings", self._embeddings, methods=["POST"]),
                *([Route("/tokenize", self._tokenize_route, methods=["POST"])] * self._tokenize),
            ]
        )


def stub_tokens(text: str) -> list[int]:
    """The stub's tokenizer: each word in pieces of at most 4 bytes, ids from their bytes."""
    tokens: list[int] = []
    for word in _WORD.findall(text):
        raw = word.encode("utf-8")
        tokens.extend(
            int.from_bytes(raw[i : i + 4], "little") % 32000 for i in range(0, len(raw), 4)
        )
    return tokens


def prompt_tokens(messages: list[dict[str, str]]) -> int:
    """What the stub reports as `usage.prompt_tokens`: its tokens plus the template's."""
    body = sum(len(stub_tokens(m["role"])) + len(stub_tokens(m["content"])) for m in messages)
    return body + STUB_MESSAGE_OVERHEAD * len(messages) + STUB_REPLY_PRIMING


def _answer(prompt: str, fault: str | None) -> dict[str, Any]:
    found = _followed(prompt) or _LINE.search(prompt)
    if found is None:
        return {
            "component": "none",
            "severity": "info",
            "root_cause": "Nothing abnormal.",
            "confidence": 0.7,
            "chain": [],
            "evidence_ids": [],
            "actions": [],
        }
    cited = "made-up-000000000000" if fault == "unknown_ids" else found["id"]
    component = found["component"]
    return {
        "component": component,
        "severity": "high",
        "root_cause": f"{component} failed first [{cited}].",
        "confidence": 0.8,
        "chain": [
            {
                "component": component,
                "event": "failed",
                "start_s": 0.0,
                "end_s": None,
                "evidence_ids": [cited],
            }
        ],
        "evidence_ids": [cited],
        "actions": [f"Inspect the {component}."],
    }


def _followed(prompt: str) -> re.Match[str] | None:
    """The first evidence line of a component an engineer corrected a close precedent to: a
    model told that "corrected" precedents are the outcome to learn from would follow it."""
    for precedent in _CORRECTED.finditer(prompt):
        if float(precedent["similarity"]) >= FOLLOW_SIMILARITY:
            for line in _LINE.finditer(prompt):
                if line["component"] == precedent["component"]:
                    return line
    return None


@contextmanager
def running_stub(
    *, tokenize: bool = True, embedding_dimensions: int | None = None
) -> Iterator[StubLlm]:
    """A stub server on a free port of 127.0.0.1, in a thread, until the block ends."""
    stub = StubLlm(tokenize=tokenize, embedding_dimensions=embedding_dimensions)
    port = free_port()
    config = uvicorn.Config(
        stub.app(),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the LLM stub did not start")
        threading.Event().wait(0.01)
    stub.url = f"http://127.0.0.1:{port}"
    try:
        yield stub
    finally:
        server.should_exit = True
        thread.join(10)


def chat_model(url: str, *, timeout_s: float = 5.0, max_retries: int = 0) -> OpenAiChatModel:
    """The real client for a stub at `url`: no backoff, so injected retries cost no waiting."""
    return OpenAiChatModel(
        url=url,
        model="stub-model",
        api_key="not-a-real-key",
        timeout_s=timeout_s,
        max_retries=max_retries,
        backoff_s=0.0,
        max_completion_tokens=400,
    )


def main() -> None:
    """`python -m tests.llm_stub --port N`: serve the stub on 127.0.0.1 until killed, so that
    `make eval` can score the model path without a model (its answers are the stub's rule:
    the first, highest-scored evidence line's component)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(StubLlm().app(), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
