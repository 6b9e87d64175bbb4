"""`argus llm serve` with the `llm` extra installed: what it guards against."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

pytestmark = pytest.mark.llm


def test_a_file_that_is_not_a_model_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + bytes(60))
    command = [sys.executable, "-m", "argus", "llm", "serve", "--model", str(bad)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    # llama.cpp's own loader logs stay quiet: one line, from Argus, on stderr.
    assert result.stderr.startswith(f"argus llm serve: cannot load {bad}: ")
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_llama_cpp_python_alone_rejects_the_openai_json_schema_format() -> None:
    """Why `json_schema_as_json_object` exists; when this fails, the rewrite can go."""
    from llama_cpp.server.types import CreateChatCompletionRequest

    messages = [{"role": "user", "content": "hi"}]
    openai_form = {"type": "json_schema", "json_schema": {"name": "d", "schema": {}}}
    with pytest.raises(ValidationError, match="json_object"):
        CreateChatCompletionRequest.model_validate(
            {"messages": messages, "response_format": openai_form}
        )
    accepted = CreateChatCompletionRequest.model_validate(
        {"messages": messages, "response_format": {"type": "json_object", "schema": {}}}
    )
    assert accepted.response_format == {"type": "json_object", "schema": {}}
