"""The upload path's levers, one at a time, without the rest of the stack (decision 0034).

A bare Starlette app whose one route streams `request.stream()` into `LocalFsBlobStore.put_stream`
runs under uvicorn in each variant (event loop: asyncio or uvloop; HTTP protocol: httptools or
h11); `curl -T` sends the same file to each, interleaved with the baseline of `bench/upload.py`
(1 MiB blocks, one fsync at the end, same folder). Prints per variant the median MB/s, the median
of copy time / upload time and the server's CPU seconds per upload.
Usage: python bench/upload_levers.py [--size-mb 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from upload import copy_s, cpu_s, drive_log, wait_answering  # bench/ leads sys.path

from argus.infrastructure.embedded.process import free_port

# (event loop, HTTP protocol, KiB gathered per thread hop, early writeback on)
VARIANTS = [
    ("asyncio", "httptools", 1024, True),
    ("asyncio", "httptools", 1024, False),
    ("asyncio", "httptools", 256, True),
    ("asyncio", "httptools", 4096, True),
    ("uvloop", "httptools", 1024, True),
    ("asyncio", "h11", 1024, True),
]
Variant = tuple[str, str, int, bool]

APP = """
import sys
from pathlib import Path
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from argus.infrastructure.blob import file_writer, localfs

localfs._WRITE_BATCH_BYTES = int(sys.argv[2]) << 10
if sys.argv[3] == "False":
    file_writer._sync_file_range = None
store = localfs.LocalFsBlobStore(Path(sys.argv[1]))

async def put(request):
    name = request.path_params["name"]
    stored = await store.put_stream(f"f/{name}", request.stream(), max_bytes=1 << 40)
    return JSONResponse({"size": stored.size, "sha256": stored.sha256}, status_code=201)

app = Starlette(routes=[Route("/f/{name}", put, methods=["PUT"])])
"""


def start(variant: Variant, root: Path) -> tuple[subprocess.Popen[bytes], str]:
    loop, http, batch_kib, writeback = variant
    port = free_port()
    code = APP + f"\nimport uvicorn\nuvicorn.run(app, port={port}, loop={loop!r}, http={http!r},"
    code += " log_level='warning')"
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(root), str(batch_kib), str(writeback)]
    )
    base = f"http://127.0.0.1:{port}"
    wait_answering(base, str(variant))
    return process, base


def curl_put(url: str, path: Path) -> float:
    start_s = time.perf_counter()
    done = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", str(path), url],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start_s
    if done.stdout != "201":
        raise SystemExit(f"upload answered {done.stdout}: {done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    path = drive_log(args.size_mb)
    megabytes = path.stat().st_size / 1e6
    root = Path(tempfile.mkdtemp(prefix="argus-levers-"))
    servers = {v: start(v, root / "-".join(map(str, v))) for v in VARIANTS}
    ratios: dict[Variant, list[float]] = {v: [] for v in VARIANTS}
    speeds: dict[Variant, list[float]] = {v: [] for v in VARIANTS}
    cpus: dict[Variant, list[float]] = {v: [] for v in VARIANTS}
    try:
        for round_no in range(args.rounds):
            turn = round_no % len(VARIANTS)
            for variant in VARIANTS[turn:] + VARIANTS[:turn]:
                process, base = servers[variant]
                copy = copy_s(path, root)
                before = cpu_s(process.pid)
                upload = curl_put(f"{base}/f/{round_no}", path)
                cpus[variant].append(cpu_s(process.pid) - before)
                ratios[variant].append(copy / upload)
                speeds[variant].append(megabytes / upload)
        print(
            f"\n{megabytes:.0f} MB, {args.rounds} rounds, curl -T; ratio = copy time / upload time"
        )
        print(
            f"{'loop':>8} {'http':>10} {'KiB':>5} {'wb':>5} {'MB/s':>6} {'ratio':>6} {'CPU s':>6}"
        )
        for variant in VARIANTS:
            print(
                f"{variant[0]:>8} {variant[1]:>10} {variant[2]:>5} {variant[3]!s:>5}"
                f" {statistics.median(speeds[variant]):>6.0f}"
                f" {statistics.median(ratios[variant]):>6.2f}"
                f" {statistics.median(cpus[variant]):>6.3f}"
            )
    finally:
        for process, _ in servers.values():
            process.send_signal(signal.SIGTERM)
            process.wait(30)
        shutil.rmtree(root, ignore_errors=True)
        os.sync()


if __name__ == "__main__":
    main()
