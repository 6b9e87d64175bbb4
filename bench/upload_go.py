"""The Go upload peer of bench/upload.py and bench/compare.py (bench/peers/go-upload, 0044).

A standard-library Go server doing Argus' upload work on the bytes (token, body length
bound, temp file O_EXCL, SHA-256 of every byte, writeback every 8 MiB, one fsync, checksum
compared, rename, directory fsync) in three modes: `go` (idiomatic `io.CopyBuffer` into
`io.MultiWriter(hash, file)`), `go-pipe` (the socket read into rotating 1 MiB buffers while
another goroutine hashes and writes, as Argus' loop and writer thread) and `go-par` (the hash
and the write in two goroutines side by side). Built once per bench run (`go build`, cached).
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from parse import CACHE, ROOT
from peer_parsers import find_tool
from upload import wait_answering

from argus.infrastructure.embedded.process import free_port

GO_UPLOAD_SRC = ROOT / "bench" / "peers" / "go-upload"
GO_UPLOAD_BIN = CACHE / "go-upload"
MODES = {"go": "sequential", "go-pipe": "pipelined", "go-par": "parallel"}


@dataclass(frozen=True)
class GoPeer:
    pid: int
    base_url: str
    token: str
    folder: Path  # where its uploads land (removed after each turn like Argus' blobs)

    def url_path(self, name: str) -> str:
        return f"/upload/{name}"


def build_go_upload() -> Path:
    """`go build` under nice (a no-op when nothing changed; no network: no requires)."""
    print("building the Go upload peer (go build) …", flush=True)
    command = ["nice", "-n", "10", find_tool("go"), "build", "-o", str(GO_UPLOAD_BIN), "."]
    subprocess.run(command, cwd=GO_UPLOAD_SRC, check=True, timeout=600)
    return GO_UPLOAD_BIN


@contextmanager
def go_peers(blobs: Path) -> Iterator[dict[str, GoPeer]]:
    """Every mode serving under `blobs/<name>` (the blob store's filesystem), stopped after."""
    binary = build_go_upload()
    token = secrets.token_urlsafe(32)
    env = {**os.environ, "GO_UPLOAD_TOKEN": token}  # not in argv: other users see argv
    with ExitStack() as running:
        peers: dict[str, GoPeer] = {}
        for name, mode in MODES.items():
            port, folder = free_port(), blobs / name
            argv = [str(binary), "-dir", str(folder), "-port", str(port), "-mode", mode]
            process = running.enter_context(subprocess.Popen(argv, env=env))
            running.callback(process.terminate)
            base_url = f"http://127.0.0.1:{port}"
            wait_answering(base_url, f"the Go upload peer ({mode})")
            peers[name] = GoPeer(process.pid, base_url, token, folder)
        yield peers
