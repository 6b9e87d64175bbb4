"""Upload benchmark: the upload API against a plain fsync'd copy of the same bytes, same disk.

The one baseline (decision 0034): `copy` reads the file in 1 MiB blocks and writes them to a
new file in the blob store's own folder (the same filesystem the uploads land on), fsyncs it
once at the end and closes it (`shutil.copyfileobj(src, dst, 1 MiB)` + `os.fsync`). The source
is in the page cache for every contender (all read it in every round).

Contenders, interleaved over `--rounds` (the order rotates each round): `curl -T` (a real HTTP
client, HTTP/1.1 with Content-Length) and the bench's own httpx client (the body streamed in
1 MiB chunks), both with X-Checksum-SHA256 computed before the clock starts. The peer doing the
same work (decision 0044): `go`, `go-pipe`, `go-par`, `curl -T` of the same file with the same
header to a standard-library Go server (bench/peers/go-upload, bench/upload_go.py) that checks
the token, hashes every byte, writes it with writeback every 8 MiB, fsyncs, compares the
checksum and renames into place: sequentially (`io.CopyBuffer`), receiving while another
goroutine hashes and writes (Argus' design), or hashing and writing side by side as well.
References: `copy+wb` is the copy that also starts the writeback every 8 MiB, as the blob store
does; `copy+sha` the copy that also hashes every block (hashlib): the upload's work minus the
network, on one thread.
Per round, ratio = copy time / contender time; printed: median (and min) of those ratios, the
median MB/s, the serving process' CPU per upload (Argus' API, or the Go peer), Argus' peak RSS
(it must not grow with the file), and Argus `curl -T` ÷ each Go mode in throughput (the median
of the per-round ratios: > 1, Argus is faster).

Every contender writes into the same page-cache state (decision 0040): the copy removes its
file after each turn, and so, outside the timed part, does the bench with each uploaded blob.
On this VM memory the guest never touched (or gave back to the host) costs the kernel 4-7x
more per page on first write, so uploads that kept their files while the copy reused its
freed pages paid for fresh memory the copy never did. `--keep` keeps every contender's file
instead (both then draw fresh pages): the other honest view, printed on demand.
Usage: python bench/upload.py [--sizes-mb 200] [--rounds 7] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from parse import drive_log  # bench/parse.py (re-exported for the other upload benches)
from tokens import Tokens, issue_tokens  # bench/tokens.py: bench/ leads sys.path

from argus.infrastructure.embedded.process import free_port

ROOT = Path(__file__).resolve().parents[1]
CONTENDERS = ["copy", "curl", "client", "copy+wb", "copy+sha", "go", "go-pipe", "go-par"]
SERVED = ("curl", "client", "go", "go-pipe", "go-par")  # contenders with a server whose CPU is read
Times = dict[str, list[float]]  # contender → one figure per round
WRITEBACK = 8 << 20  # as the blob store (infrastructure/blob/file_writer.py)
SYNC_FILE_RANGE = ctypes.CDLL(None, use_errno=True).sync_file_range  # Linux


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process' peak resident set size so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def copy_s(
    source: Path,
    target_dir: Path,
    *,
    writeback: bool = False,
    hashed: bool = False,
    keep_as: str | None = None,
) -> float:
    """The baseline: 1 MiB blocks into a new file beside the blobs, one fsync at the end
    (the file removed after, unless `keep_as` names it); `writeback` also starts the writeback
    every 8 MiB, `hashed` also feeds every block to SHA-256."""
    target = target_dir / (keep_as or "copy.bin")
    digest = hashlib.sha256()
    start = time.perf_counter()
    with open(source, "rb") as src, open(target, "wb", buffering=0) as dst:
        if writeback or hashed:
            written = 0
            while block := src.read(1 << 20):
                if hashed:
                    digest.update(block)
                dst.write(block)
                written += len(block)
                if writeback and written % WRITEBACK == 0:
                    SYNC_FILE_RANGE(dst.fileno(), written - WRITEBACK, WRITEBACK, 2)
        else:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.fsync(dst.fileno())
    digest.hexdigest()
    elapsed = time.perf_counter() - start
    if keep_as is None:
        target.unlink()
    return elapsed


def remove_blobs(blobs: Path) -> None:
    """Drop the stored uploads (outside the timed part): their pages go back to the free pool
    as the copy's do."""
    for path in blobs.rglob("*"):
        if path.is_file() and ".incoming" not in path.parts:
            path.unlink()


def curl_s(base_url: str, url_path: str, path: Path, headers: dict[str, str]) -> float:
    """`curl -T`: HTTP/1.1, Content-Length from the file, the body read by curl itself."""
    command = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", str(path)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    start = time.perf_counter()
    done = subprocess.run([*command, base_url + url_path], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.stdout != "201":
        raise SystemExit(f"curl upload answered {done.stdout}: {done.stderr}")
    return elapsed


async def client_s(
    http: httpx.AsyncClient, url_path: str, path: Path, headers: dict[str, str]
) -> float:
    """The bench's own client: httpx, the file streamed in 1 MiB reads, Content-Length set."""

    async def body() -> AsyncIterator[bytes]:
        with open(path, "rb") as source:  # noqa: ASYNC230 (page-cache reads, as the CLI does)
            while block := source.read(1 << 20):
                yield block

    start = time.perf_counter()
    response = await http.put(url_path, content=body(), headers=headers)
    elapsed = time.perf_counter() - start
    if response.status_code != 201:
        raise SystemExit(f"client upload answered {response.status_code}: {response.text}")
    return elapsed


def cpu_split(pid: int) -> tuple[float, float]:
    """User and system (kernel) CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    return sum(cpu_split(pid))


def server_env(data_dir: Path) -> dict[str, str]:
    """The settings of a bench `argus serve`: its data dir and free ports."""
    return {
        **os.environ,
        "ARGUS_DATA_DIR": str(data_dir),
        "ARGUS_HTTP_PORT": str(free_port()),
        "ARGUS_HTTP_HOST": "127.0.0.1",
        "ARGUS_PARSER_WORKERS": "1",
        # One HTTP process: the API CPU column reads that process (0031's workers would take
        # some uploads unseen; one upload at a time gains nothing from them).
        "ARGUS_HTTP_WORKERS": "1",
        "ARGUS_LOG_LEVEL": "WARNING",
        # The rate limit still runs (its Redis round trip is part of what is measured) but
        # never refuses: a benchmark is one caller sending far more than a vehicle would.
        "ARGUS_LIMITS_REQUESTS_PER_S": "1000000",
        "ARGUS_LIMITS_REQUEST_BURST": "1000000",
        # Each round opens a batch of one vehicle and never completes it.
        "ARGUS_LIMITS_OPEN_BATCHES_PER_VEHICLE": "1000000",
    }


def wait_answering(base_url: str, what: str) -> None:
    """Returns once a bench server started in the background answers at `base_url` (any
    status); ends the bench if it does not within ~10 s."""
    for _ in range(100):
        try:
            httpx.get(base_url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not start")


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
    parser.add_argument("--sizes-mb", default="200", help="file sizes to upload, in MB")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="every contender keeps its file")
    args = parser.parse_args()
    from upload_rounds import upload_rounds, upload_servers  # (it imports this module)

    data_dir = Path(tempfile.mkdtemp(prefix="argus-bench-"))
    try:
        with upload_servers(data_dir) as servers:
            print(f"\nAPI process idle peak RSS: {peak_rss_mb(servers.argus_pid):.0f} MB")
            for size in (int(s) for s in args.sizes_mb.split(",")):
                path = drive_log(size)
                run = upload_rounds(path, servers, args.rounds, CONTENDERS, keep=args.keep)
                times, cpu = asyncio.run(run)
                report(path.stat().st_size / 1e6, args.rounds, times, cpu, args.keep)
                peak = peak_rss_mb(servers.argus_pid)
                print(f"API process peak RSS after the {size} MB uploads: {peak:.0f} MB")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def per_round(times: Times, numerator: str, denominator: str) -> list[float]:
    """Time of `numerator` ÷ time of `denominator`, round by round (the throughput of the
    denominator relative to the numerator's)."""
    return [n / d for n, d in zip(times[numerator], times[denominator], strict=True)]


def report(megabytes: float, rounds: int, times: Times, cpu: Times, keep: bool) -> None:
    print(f"\n{megabytes:.0f} MB file, {rounds} interleaved rounds")
    print("baseline `copy`: 1 MiB blocks into the blob store's folder, one fsync at the end")
    kept = "kept (fresh pages for all)" if keep else "removed after each turn (same page state)"
    print(f"every contender's file: {kept}")
    head = f"{'':>10} {'MB/s':>6} {'ratio median':>13} {'ratio min':>10}"
    print(f"{head} {'server CPU s':>13} {'of it kernel':>13} {'curl CPU s':>11}")
    for name in times:
        ratios = per_round(times, "copy", name)
        speed = megabytes / statistics.median(times[name])
        spent, kernel, curl = (
            f"{statistics.median(cpu[key]):.3f}" if key in cpu else ""
            for key in (name, f"{name} sys", f"{name} curl")
        )
        print(
            f"{name:>10} {speed:>6.0f} {statistics.median(ratios):>13.2f}"
            f" {min(ratios):>10.2f} {spent:>13} {kernel:>13} {curl:>11}"
        )
    print("ratio = copy time / contender time in the same round (> 1: faster than the copy)")
    print("server CPU = the serving process' (Argus' API for curl and client; the Go peer's),")
    print("user + kernel (the kernel's: recv, page-cache writes, fsync), in clock ticks;")
    print("curl CPU = the sending curl's own (on the same two cores)")
    for peer in (name for name in ("go", "go-pipe", "go-par") if name in times and "curl" in times):
        ratios = per_round(times, peer, "curl")
        print(
            f"Argus curl -T ÷ {peer}: {statistics.median(ratios):.2f} median"
            f" (min {min(ratios):.2f}, max {max(ratios):.2f}; > 1: Argus faster)"
        )


if __name__ == "__main__":
    main()
