"""The upload's budget: each part of an upload alone on the same bytes, against the one baseline.

Parts (decision 0038), each timed (wall) and charged (CPU of every process taking part):
- `copy`: the baseline of `bench/upload.py` (1 MiB blocks into the blob folder, one fsync).
- `sha256`: hashlib over the bytes in 1 MiB pieces (already in memory), one thread.
- `tcp`: `curl -T` into a bare socket server (another process) that reads the body with
  `recv_into` one reused 1 MiB buffer: the loopback transfer as cheap as Python can make it.
- `write`: `os.write` of 1 MiB pieces (from memory) + `sync_file_range` every 8 MiB + fsync:
  the blob store's disk half without the hash.
- `writer`: the blob store's own `HashingFileWriter` on the bytes (hash + write + fsync, one
  thread): the store's sequential floor.
- `asgi`: `curl -T` into uvicorn (uvloop, httptools, as `argus serve`) serving a bare ASGI app
  that drains the body and drops it: Python's ASGI body path alone.
- `asgi-pc`: the same with Argus' protocol class, which hands the body over in the pieces
  httptools made (`entrypoints/http_body.py`) instead of uvicorn's two bytearray copies.
- `argus`: `curl -T` into `argus serve` (bench/upload.py's set-up): the whole upload, its
  blob removed after each turn as every other part removes its file (decision 0040).
Rounds interleave every part (the order rotates); printed are medians.
The lower bound of an upload on this machine's usable cores is max(CPU-s of its parts ÷ cores,
the slowest single part's wall) (the parts pipelined perfectly); printed as copy ÷ bound.
Usage: python bench/upload_budget.py [--size-mb 200] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

import httpx
from tokens import Tokens  # bench/ leads sys.path
from upload import copy_s, drive_log, remove_blobs, start_server, wait_answering

from argus.cli.client import ArgusClient, sha256_of
from argus.infrastructure.blob.file_writer import HashingFileWriter, _sync_file_range
from argus.infrastructure.embedded.process import free_port

PIECE = 1 << 20
WRITEBACK = 8 << 20
UPLOAD_PATH = "/api/v1/batches/budget/files"
PARTS = ["copy", "sha256", "tcp", "write", "writer", "asgi", "asgi-pc", "argus"]

SOCKET_SERVER = """
import socket, sys
listener = socket.create_server(("127.0.0.1", int(sys.argv[1])))
buffer = bytearray(1 << 20)
view = memoryview(buffer)
while True:
    conn, _ = listener.accept()
    head = b""
    while b"\\r\\n\\r\\n" not in head:
        head += conn.recv(65536)
    head, body = head.split(b"\\r\\n\\r\\n", 1)
    fields = dict(
        line.split(b": ", 1) for line in head.lower().split(b"\\r\\n")[1:] if b": " in line
    )
    left = int(fields.get(b"content-length", 0)) - len(body)
    if fields.get(b"expect") == b"100-continue":
        conn.sendall(b"HTTP/1.1 100 Continue\\r\\n\\r\\n")
    while left > 0:
        got = conn.recv_into(view)
        if not got:
            break
        left -= got
    conn.sendall(b"HTTP/1.1 201 Created\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n")
    conn.close()
"""

ASGI_SERVER = """
import sys
import uvicorn

async def app(scope, receive, send):
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b""})

if sys.argv[2] == "argus":  # Argus' protocol: the body handed over in the pieces httptools made
    from argus.entrypoints.http_protocol import head_limited_protocol
    http = head_limited_protocol(65536, 30.0)
else:
    http = "httptools"
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop", http=http,
            lifespan="off", log_level="warning", access_log=False)
"""


def cpu_ns(pid: int) -> int:
    """CPU nanoseconds of every live thread of `pid` (schedstat: finer than clock ticks)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue  # a thread that ended meanwhile
    return total


def start_script(
    code: str, started: list[subprocess.Popen[bytes]], *args: str
) -> tuple[subprocess.Popen[bytes], str]:
    """Run a bench server (`code`, given its port and `args`) and wait until it answers."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", code, str(port), *args])
    started.append(process)
    base = f"http://127.0.0.1:{port}"
    wait_answering(base, "a bench server")
    return process, base


def curl_put(url: str, path: Path, headers: dict[str, str]) -> tuple[float, float]:
    """`curl -T` (as bench/upload.py): its wall seconds and its own CPU seconds."""
    command = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", str(path)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*command, url], capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # curl is the one child reaped
    if done.stdout != b"201":
        raise SystemExit(f"curl answered {done.stdout!r}: {done.stderr!r}")
    spent = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, spent


def sha_s(data: memoryview) -> None:
    import hashlib

    digest = hashlib.sha256()
    for at in range(0, len(data), PIECE):
        digest.update(data[at : at + PIECE])
    digest.hexdigest()


def write_s(data: memoryview, folder: Path) -> None:
    target = folder / "budget-write.bin"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        flushed = 0
        for at in range(0, len(data), PIECE):
            os.write(fd, data[at : at + PIECE])
            if _sync_file_range is not None and at + PIECE - flushed >= WRITEBACK:
                _sync_file_range(fd, flushed, at + PIECE - flushed, 2)
                flushed = at + PIECE
        os.fsync(fd)
    finally:
        os.close(fd)
        target.unlink()


def writer_s(data: memoryview, folder: Path) -> None:
    target = folder / "budget-writer.bin"
    pieces = cast(list[bytes], [data[at : at + PIECE] for at in range(0, len(data), PIECE)])
    writer = HashingFileWriter(target)
    for piece in pieces[:-1]:
        writer.write([piece])
    writer.finish(pieces[-1:])
    target.unlink()


def in_process(work: Callable[[], object]) -> tuple[float, float]:
    cpu, start = time.process_time(), time.perf_counter()
    work()
    return time.perf_counter() - start, time.process_time() - cpu


def remote(pid: int, put: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    """Wall seconds of `put`; CPU seconds of the client plus the server `pid`."""
    before = cpu_ns(pid)
    elapsed, client_cpu = put()
    return elapsed, client_cpu + (cpu_ns(pid) - before) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    path = drive_log(args.size_mb)
    data = memoryview(path.read_bytes())
    data_dir = Path(tempfile.mkdtemp(prefix="argus-budget-"))
    blobs = data_dir / "blobs"
    argus, argus_url, tokens = start_server(data_dir)
    servers = [argus]
    try:
        blobs.mkdir(parents=True, exist_ok=True)
        sock_server, sock_url = start_script(SOCKET_SERVER, servers)
        asgi_server, asgi_url = start_script(ASGI_SERVER, servers, "uvicorn")
        lean_server, lean_url = start_script(ASGI_SERVER, servers, "argus")
        auth = Tokens.header(tokens.vehicle)
        headers = {**auth, "X-Checksum-SHA256": sha256_of(path)}
        asyncio.run(create_batch(argus_url, auth))
        parts: dict[str, Callable[[int], tuple[float, float]]] = {
            "copy": lambda _: in_process(lambda: copy_s(path, blobs)),
            "sha256": lambda _: in_process(lambda: sha_s(data)),
            "tcp": lambda _: remote(sock_server.pid, lambda: curl_put(sock_url, path, {})),
            "write": lambda _: in_process(lambda: write_s(data, blobs)),
            "writer": lambda _: in_process(lambda: writer_s(data, blobs)),
            "asgi": lambda _: remote(asgi_server.pid, lambda: curl_put(asgi_url, path, {})),
            "asgi-pc": lambda _: remote(lean_server.pid, lambda: curl_put(lean_url, path, {})),
            "argus": lambda n: remote(
                argus.pid,
                lambda: curl_put(f"{argus_url}{UPLOAD_PATH}/{n}.mcap", path, headers),
            ),
        }
        # Every part's file leaves the page cache after its turn (bench/upload.py, 0040).
        after = {"argus": lambda: remove_blobs(blobs)}
        wall: dict[str, list[float]] = {p: [] for p in PARTS}
        cpu: dict[str, list[float]] = {p: [] for p in PARTS}
        for round_no in range(args.rounds):
            turn = round_no % len(PARTS)
            for name in PARTS[turn:] + PARTS[:turn]:
                elapsed, spent = parts[name](round_no)
                after.get(name, lambda: None)()
                wall[name].append(elapsed)
                cpu[name].append(spent)
        report(len(data) / 1e6, args.rounds, wall, cpu)
    finally:
        for process in servers:
            process.send_signal(signal.SIGTERM)
            process.wait(60)
        shutil.rmtree(data_dir, ignore_errors=True)


async def create_batch(base_url: str, auth: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=base_url, headers=auth, timeout=60) as http:
        await ArgusClient(http).create_batch(vehicle_id="veh-bench", batch_id="budget")


def report(
    megabytes: float, rounds: int, wall: dict[str, list[float]], cpu: dict[str, list[float]]
) -> None:
    cores = len(os.sched_getaffinity(0))
    med = {p: statistics.median(wall[p]) for p in PARTS}
    mcpu = {p: statistics.median(cpu[p]) for p in PARTS}
    copy = med["copy"]
    print(f"\n{megabytes:.0f} MB, {rounds} interleaved rounds, {cores} usable cores,")
    print(f"load average {os.getloadavg()[0]:.1f}; medians; ratio = copy wall / part wall")
    print(f"{'part':>8} {'wall s':>7} {'CPU s':>7} {'MB/s':>6} {'ratio':>6}")
    for part in PARTS:
        print(
            f"{part:>8} {med[part]:>7.3f} {mcpu[part]:>7.3f} {megabytes / med[part]:>6.0f}"
            f" {copy / med[part]:>6.2f}"
        )
    print("tcp, asgi, argus: CPU = curl's + the server process' (all its threads)")
    floors = {
        "raw socket + sha256 + write": ("tcp", "sha256", "write"),
        "uvicorn's body path + sha256 + write": ("asgi", "sha256", "write"),
        "body in pieces + sha256 + write": ("asgi-pc", "sha256", "write"),
    }
    print(f"\n{'lower bound of an upload':<38} {'CPU/cores':>9} {'critical':>9} {'ratio ≤':>8}")
    for label, chain in floors.items():
        by_cpu = sum(mcpu[p] for p in chain) / cores
        critical = max(med[p] for p in chain)
        bound = max(by_cpu, critical)
        print(f"{label:<38} {by_cpu:>9.3f} {critical:>9.3f} {copy / bound:>8.2f}")
    print(f"{'argus, measured':<38} {mcpu['argus'] / cores:>9.3f} {med['argus']:>9.3f}", end="")
    print(f" {copy / med['argus']:>8.2f}")
    print("critical = the slowest part's wall (all parts overlapped perfectly);")
    print("ratio ≤ copy wall / max(CPU/cores, critical): no upload built from these parts beats it")


if __name__ == "__main__":
    main()
