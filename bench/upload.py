"""Ingest benchmark: stream large generated drive logs through the upload API.

Prints the API (ingest) process' peak RSS after each upload, so you can see it does not
grow with the file size, and the upload throughput beside a plain file copy of the same
bytes on the same disk, measured in the same run (a ratio; absolute MB/s mean little on a
shared machine). Usage: python bench/upload.py [--sizes-mb 200,2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from tokens import Tokens, issue_tokens  # bench/tokens.py: bench/ leads sys.path

from argus.cli.client import ArgusClient
from argus.infrastructure.embedded.process import free_port
from argus.loggen import generate_drive_log

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench"


def drive_log(size_mb: int) -> Path:
    """A generated drive log of ~size_mb MB (cached between runs; generation is not timed)."""
    path = CACHE / f"drive-{size_mb}mb.mcap"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name} …", flush=True)
        generate_drive_log(path, seed=1, target_bytes=size_mb * 1_000_000)
    return path


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process' peak resident set size so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def plain_copy_s(source: Path, target_dir: Path) -> float:
    """Copy with fsync, as the blob store does: the baseline the upload is compared with."""
    target = target_dir / "copy.bin"
    start = time.perf_counter()
    with open(source, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
        dst.flush()
        os.fsync(dst.fileno())
    elapsed = time.perf_counter() - start
    target.unlink()
    return elapsed


async def upload_s(base_url: str, batch_id: str, path: Path, token: str) -> float:
    async with httpx.AsyncClient(
        base_url=base_url, timeout=httpx.Timeout(60, read=600), headers=Tokens.header(token)
    ) as http:
        client = ArgusClient(http)
        await client.create_batch(vehicle_id="veh-bench", batch_id=batch_id)
        start = time.perf_counter()
        await client.upload(batch_id, path, on_bytes=lambda _n: None)
        return time.perf_counter() - start


def server_env(data_dir: Path) -> dict[str, str]:
    """The settings of a bench `argus serve`: its data dir and free ports."""
    return {
        **os.environ,
        "ARGUS_DATA_DIR": str(data_dir),
        "ARGUS_HTTP_PORT": str(free_port()),
        "ARGUS_HTTP_HOST": "127.0.0.1",
        "ARGUS_PARSER_WORKERS": "1",
        "ARGUS_LOG_LEVEL": "WARNING",
        # The rate limit still runs (its Redis round trip is part of what is measured) but
        # never refuses: a benchmark is one caller sending far more than a vehicle would.
        "ARGUS_LIMITS_REQUESTS_PER_S": "1000000",
        "ARGUS_LIMITS_REQUEST_BURST": "1000000",
        # Each round opens a batch of one vehicle and never completes it.
        "ARGUS_LIMITS_OPEN_BATCHES_PER_VEHICLE": "1000000",
    }


def start_server(
    data_dir: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str, Tokens]:
    """`argus serve` under `data_dir` on free ports, and tokens of its bench vehicle and an
    engineer."""
    env = env or server_env(data_dir)
    port = int(env["ARGUS_HTTP_PORT"])
    process = subprocess.Popen([sys.executable, "-m", "argus", "serve"], env=env)
    base_url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return process, base_url, issue_tokens(env)
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("argus serve did not become healthy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes-mb", default="200,2000", help="file sizes to upload, in MB")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes_mb.split(",")]
    files = {size: drive_log(size) for size in sizes}
    data_dir = Path(tempfile.mkdtemp(prefix="argus-bench-"))
    process, base_url, tokens = start_server(data_dir)
    try:
        idle_mb = peak_rss_mb(process.pid)
        print(f"\nAPI process idle peak RSS: {idle_mb:.0f} MB")
        header = f"{'file':>10} {'upload MB/s':>12} {'copy MB/s':>10} {'ratio':>6}"
        print(f"{header} {'peak RSS MB':>12}")
        for size, path in files.items():
            megabytes = path.stat().st_size / 1e6
            copy = plain_copy_s(path, data_dir)
            upload = asyncio.run(upload_s(base_url, f"bench-{size}", path, tokens.vehicle))
            print(
                f"{megabytes:>8.0f}MB {megabytes / upload:>12.0f} {megabytes / copy:>10.0f}"
                f" {copy / upload:>6.2f} {peak_rss_mb(process.pid):>12.0f}"
            )
        print("\nratio = upload throughput / plain copy throughput (same bytes, disk and run)")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
