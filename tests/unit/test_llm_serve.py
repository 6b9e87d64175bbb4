"""`argus llm serve` without a model: its errors, and the response-format translation."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from typer.testing import CliRunner

from argus.cli import app
from argus.infrastructure.llm.llama_server import json_schema_as_json_object

pytestmark = pytest.mark.unit

SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}


async def _echo(request: Request) -> JSONResponse:
    body = await request.body()
    declared = int(request.headers["content-length"])
    return JSONResponse({"declared": declared, "received": len(body), "raw": body.decode()})


ECHO = Starlette(
    routes=[Route(path, _echo, methods=["GET", "POST"]) for path in ("/v1/chat/completions", "/x")]
)


async def _post(path: str, content: bytes) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=json_schema_as_json_object(ECHO))
    async with httpx.AsyncClient(transport=transport, base_url="http://llama") as client:
        response = await client.post(path, content=content)
    echoed: dict[str, Any] = response.json()
    assert echoed["declared"] == echoed["received"]
    return echoed


async def test_the_openai_json_schema_format_reaches_llama_cpp_as_json_object_with_schema() -> None:
    request = {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "diagnosis", "schema": SCHEMA, "strict": False},
        },
    }
    echoed = await _post("/v1/chat/completions", json.dumps(request).encode())
    seen = json.loads(echoed["raw"])
    assert seen["response_format"] == {"type": "json_object", "schema": SCHEMA}
    assert seen["messages"] == request["messages"] and seen["model"] == "m"


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("/v1/chat/completions", b'{"response_format": {"type": "json_object"}}'),
        ("/v1/chat/completions", b'{"messages": []}'),
        ("/v1/chat/completions", b'{"response_format": {"type": "json_schema"}}'),
        ("/v1/chat/completions", b"{not json"),
        ("/v1/chat/completions", b"[1, 2]"),
        ("/x", b'{"response_format": {"type": "json_schema", "json_schema": {"schema": {}}}}'),
    ],
)
async def test_every_other_request_passes_unchanged(path: str, content: bytes) -> None:
    echoed = await _post(path, content)
    assert echoed["raw"].encode() == content


def test_a_missing_model_file_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["llm", "serve", "--model", str(tmp_path / "no.gguf")])
    assert result.exit_code == 2
    assert result.stderr == f"argus llm serve: model file not found: {tmp_path / 'no.gguf'}\n"


def test_a_missing_llm_extra_is_one_line_naming_the_install_and_exit_code_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as if the extra were not installed
    weights = tmp_path / "model.gguf"
    weights.write_bytes(b"GGUF")
    result = CliRunner().invoke(app, ["llm", "serve", "--model", str(weights)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "not installed" in result.stderr and "pip install 'argus[llm]'" in result.stderr
