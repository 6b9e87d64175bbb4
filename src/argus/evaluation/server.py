"""A throw-away `argus serve` for one evaluation: own data dir, free ports, chosen diagnoser
and embedder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from argus.evaluation.runner import EvalTokens
from argus.infrastructure.embedded.process import free_port

__all__ = ["ServerFailed", "embedded_server"]

_HEALTHY_WITHIN_S = 180.0
_FLEET = "eval"
_STOP_WITHIN_S = 60.0


class ServerFailed(RuntimeError):
    """The evaluation's server exited or did not become healthy; the message ends with its log."""


@contextmanager
def embedded_server(
    data_dir: Path,
    *,
    diagnoser: str,
    vehicle_id: str,
    embedder: str = "hashed",
    env: Mapping[str, str] | None = None,
) -> Iterator[tuple[str, EvalTokens]]:
    """Run `argus serve` under `data_dir` until the block ends; yields its base URL and the
    tokens of `vehicle_id` and of an engineer (registered in fleet `eval` through the admin
    commands).

    The child gets this process' environment (so `ARGUS_LLM_*`, or `ARGUS_PG_URL` /
    `ARGUS_REDIS_URL` for external servers, pass through) plus its own ports and data dir.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    child_env = {
        **os.environ,
        **(env or {}),
        "ARGUS_DATA_DIR": str(data_dir),
        "ARGUS_HTTP_HOST": "127.0.0.1",
        "ARGUS_HTTP_PORT": str(port),
        # A scratch stack: nothing in it outlives the evaluation.
        "ARGUS_EMBEDDED_DURABLE": "false",
        "ARGUS_DIAGNOSER": diagnoser,
        "ARGUS_EMBEDDER": embedder,
    }
    tokens = _tokens(child_env, vehicle_id)
    log_path = data_dir / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "argus", "serve"],
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base_url, process, log_path)
            yield base_url, tokens
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(_STOP_WITHIN_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _tokens(env: Mapping[str, str], vehicle_id: str) -> EvalTokens:
    """The fleet, the vehicle, its token and an engineer's, through `argus fleet|vehicle|token`
    (before the server starts: they start and stop the data dir's PostgreSQL themselves)."""
    argus = [sys.executable, "-m", "argus"]
    printed = []
    for command in (
        ["fleet", "create", _FLEET],
        ["vehicle", "add", vehicle_id, "--fleet", _FLEET],
        ["token", "create", "--vehicle", vehicle_id],
        ["token", "create", "--engineer", "eval", "--fleet", _FLEET],
    ):
        done = subprocess.run(
            [*argus, *command], env=dict(env), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise ServerFailed(f"argus {' '.join(command)}: {done.stderr[-2000:]}")
        printed.append(done.stdout.strip())
    return EvalTokens(vehicle=printed[2], engineer=printed[3])


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + _HEALTHY_WITHIN_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"argus serve exited: {_tail(log_path)}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise ServerFailed(
        f"argus serve not healthy within {_HEALTHY_WITHIN_S:.0f} s: {_tail(log_path)}"
    )


def _tail(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-3000:]
