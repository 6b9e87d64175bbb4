"""The interleaved rounds of bench/upload.py, shared with bench/compare.py's uploads section.

Every contender of bench/upload.py's CONTENDERS against the same file, the order rotating each
round: Argus (`curl -T`, the bench's httpx client) and the Go peer's three modes
(bench/upload_go.py) uploading, the copies (`copy`, `copy+wb`, `copy+sha`) writing beside the
blobs; every uploaded file removed after its turn (the same page-cache state as the copy's,
decision 0040).
"""

from __future__ import annotations

import asyncio
import resource
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from tokens import Tokens  # bench/ leads sys.path
from upload import SERVED, Times, client_s, copy_s, cpu_split, curl_s, remove_blobs, start_server
from upload_go import GoPeer, go_peers

from argus.cli.client import ArgusClient, sha256_of

# bench/compare.py's uploads rows: each contender Argus' `curl -T` is set against, its label.
UPLOAD_PEERS = {
    "copy": "fsync'd copy",
    "go": "go (io.CopyBuffer)",
    "go-pipe": "go pipelined",
    "go-par": "go hash ∥ write",
    "copy+sha": "copy+sha256",
}


@dataclass(frozen=True)
class Servers:
    """Everything the rounds upload to: `argus serve` (one HTTP process) and the Go peers."""

    data_dir: Path
    argus_pid: int
    base_url: str
    tokens: Tokens
    go: dict[str, GoPeer]


@contextmanager
def upload_servers(data_dir: Path) -> Iterator[Servers]:
    """`argus serve` and the Go peer (its three modes) on `data_dir`'s filesystem, stopped after."""
    process, base_url, tokens = start_server(data_dir)
    try:
        with go_peers(data_dir / "blobs") as go:
            yield Servers(data_dir, process.pid, base_url, tokens, go)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)


def children_cpu_s() -> float:
    """CPU seconds of this process' ended children: every `curl` once it returned (the
    servers are children too, but count only when they end)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


async def upload_rounds(
    path: Path, servers: Servers, rounds: int, names: list[str], *, keep: bool = False
) -> tuple[Times, Times]:
    """`rounds` interleaved rounds of `names` (the order rotates each round): the wall seconds
    of each turn, and the CPU seconds its server spent (contenders in SERVED; key "<name> sys":
    the kernel's share) and the `curl` that sent it (key "<name> curl")."""
    checksum = await asyncio.to_thread(sha256_of, path)
    auth = Tokens.header(servers.tokens.vehicle)
    headers = {**auth, "X-Checksum-SHA256": checksum}
    batch_id = f"bench-{path.name}"
    blobs = servers.data_dir / "blobs"
    pids = {"curl": servers.argus_pid, "client": servers.argus_pid}
    pids |= {name: peer.pid for name, peer in servers.go.items()}
    times: Times = {name: [] for name in names}
    sent_by_curl = [name for name in names if name in SERVED and name != "client"]
    cpu: Times = {key: [] for name in names if name in SERVED for key in (name, f"{name} sys")}
    cpu |= {f"{name} curl": [] for name in sent_by_curl}
    async with httpx.AsyncClient(
        base_url=servers.base_url, timeout=httpx.Timeout(60, read=600), headers=auth
    ) as http:
        await ArgusClient(http).create_batch(vehicle_id="veh-bench", batch_id=batch_id)
        for round_no in range(rounds):
            turn = round_no % len(names)
            for name in names[turn:] + names[:turn]:
                url = f"/api/v1/batches/{batch_id}/files/{name}-{round_no}.mcap"
                before = cpu_split(pids[name]) if name in pids else (0.0, 0.0)
                curl_before = children_cpu_s()
                if name == "curl":
                    elapsed = curl_s(servers.base_url, url, path, headers)
                elif name == "client":
                    elapsed = await client_s(http, url, path, headers)
                elif name in servers.go:
                    peer = servers.go[name]
                    peer_headers = {**Tokens.header(peer.token), "X-Checksum-SHA256": checksum}
                    file_url = peer.url_path(f"{name}-{round_no}.mcap")
                    elapsed = curl_s(peer.base_url, file_url, path, peer_headers)
                else:
                    kept = f"{name}-{round_no}.bin" if keep else None
                    hashed, writeback = name == "copy+sha", name == "copy+wb"
                    elapsed = copy_s(path, blobs, writeback=writeback, hashed=hashed, keep_as=kept)
                times[name].append(elapsed)
                if name in pids:
                    user, kernel = cpu_split(pids[name])
                    cpu[name].append(user + kernel - sum(before))
                    cpu[f"{name} sys"].append(kernel - before[1])
                if name in sent_by_curl:
                    cpu[f"{name} curl"].append(children_cpu_s() - curl_before)
                if name in pids and not keep:
                    await asyncio.to_thread(remove_blobs, blobs)
    return times, cpu


def rounds_in_a_fresh_dir(path: Path, rounds: int, names: list[str]) -> tuple[Times, Times]:
    """upload_rounds with its own servers on a new data dir, all removed after."""
    data_dir = Path(tempfile.mkdtemp(prefix="argus-upload-"))
    try:
        with upload_servers(data_dir) as servers:
            return asyncio.run(upload_rounds(path, servers, rounds, names))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
