"""Report read benchmark: `GET /api/report/{id}` of a real embedded `argus serve` against a Go
Gin server (bench/peers/gin) serving the same response bytes from memory, in the same run.

Uploads a small generated batch (2 files × 5 MB, lidar-dropout@3+2), waits for its report,
hands the report bytes to the Gin peer, then for each round runs `ab` against Argus and then
Gin, once with HTTP/1.0 (a connection per request) and once with keep-alive (-k). Prints per
mode min/median requests/s, the median 99th-percentile latency, failed requests, and the
ratio Argus ÷ Gin. The machine is shared and noisy: the ratios matter, not the absolutes.
Usage: python bench/report_reads.py [--rounds 3] [--requests 5000] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from tokens import Tokens
from upload import start_server  # bench/upload.py: run as a script, bench/ leads sys.path

from argus.cli.client import sha256_of
from argus.infrastructure.embedded.process import free_port

ROOT = Path(__file__).resolve().parents[1]

WORK = ROOT / "var" / "bench"
GIN_SRC = ROOT / "bench" / "peers" / "gin"
GIN_BIN = WORK / "gin-report"
BATCH = "bench-http"
MODES = (("HTTP/1.0", []), ("keep-alive", ["-k"]))


def require_ab() -> str:
    ab = shutil.which("ab")
    if ab is None:
        raise SystemExit(
            "ab (ApacheBench) is missing: install it with `apt-get install -y apache2-utils`"
        )
    return ab


def build_gin() -> None:
    if shutil.which("go") is None:
        raise SystemExit("go is missing: the Gin peer needs the Go toolchain")
    print("building the Gin peer …", flush=True)
    subprocess.run(["go", "build", "-o", str(GIN_BIN), "."], cwd=GIN_SRC, check=True, timeout=600)


def generate_batch(out: Path) -> list[Path]:
    shutil.rmtree(out, ignore_errors=True)
    argus = [sys.executable, "-m", "argus", "gen-logs", "--out", str(out), "--files", "2"]
    extra = ["--size", "5MB", "--fault", "lidar-dropout@3+2", "--seed", "1"]
    subprocess.run([*argus, *extra], check=True, timeout=300, stdout=subprocess.DEVNULL)
    return sorted(out.glob("*.mcap"))


def upload_and_fetch_report(
    base_url: str, files: list[Path], tokens: Tokens, timeout_s: float = 300
) -> bytes:
    """Create, upload, complete the batch (the vehicle's token); poll until the report is
    final (the engineer's); return its bytes."""
    headers = Tokens.header(tokens.vehicle)
    timeout = httpx.Timeout(30, read=120)
    with httpx.Client(base_url=base_url, timeout=timeout, headers=headers) as http:
        r = http.post("/api/v1/batches", json={"vehicle_id": "veh-bench", "batch_id": BATCH})
        r.raise_for_status()
        for path in files:
            # Small files: sent whole (the streaming ArgusClient is async; not needed here).
            headers = {"X-Checksum-SHA256": sha256_of(path)}
            url = f"/api/v1/batches/{BATCH}/files/{path.name}"
            http.put(url, content=path.read_bytes(), headers=headers).raise_for_status()
        http.post(f"/api/v1/batches/{BATCH}/complete").raise_for_status()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            r = http.get(f"/api/report/{BATCH}", headers=Tokens.header(tokens.engineer))
            if r.status_code == 200:
                return r.content
            if r.status_code != 202:
                raise SystemExit(f"report: {r.status_code} {r.text[:300]}")
            time.sleep(0.5)
    raise SystemExit(f"the report was not final within {timeout_s:.0f} s")


def start_gin(body: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([str(GIN_BIN), "-body", str(body), "-port", str(port)])
    base_url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return process, base_url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the Gin peer did not start")


def run_ab(
    ab: str, url: str, flags: list[str], requests: int, concurrency: int, token: str
) -> dict:
    # Every contender gets the header (the Gin peer ignores it): the same bytes on the wire.
    auth = ["-H", f"Authorization: Bearer {token}"]
    cmd = [ab, "-q", *flags, *auth, "-s", "30", "-n", str(requests), "-c", str(concurrency), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise SystemExit(f"ab failed ({out.returncode}): {out.stderr.strip()[:500]}")

    def field(pattern: str, default: str | None = None) -> str:
        match = re.search(pattern, out.stdout, re.MULTILINE)
        if match is None:
            if default is None:
                raise SystemExit(f"cannot parse ab output for {pattern!r}:\n{out.stdout}")
            return default
        return match.group(1)

    return {
        "rps": float(field(r"^Requests per second:\s+([\d.]+)")),
        "p99": float(field(r"^\s+99%\s+(\d+)")),
        "failed": int(field(r"^Failed requests:\s+(\d+)"))
        + int(field(r"^Non-2xx responses:\s+(\d+)", "0")),
        "length": int(field(r"^Document Length:\s+(\d+)")),
        # Requests answered on a reused connection (ab omits the line without -k).
        "kept": int(field(r"^Keep-Alive requests:\s+(\d+)", "0")),
    }


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def print_mode(mode: str, argus: list[dict], gin: list[dict]) -> None:
    print(f"\n{mode}")
    head = f"{'min req/s':>10} {'median req/s':>13} {'p99 ms':>7} {'failed':>7} {'kept-alive':>10}"
    print(f"{'contender':<10} {head}")
    medians, minimums = [], []
    for label, runs in (("Argus", argus), ("Gin", gin)):
        rps = [r["rps"] for r in runs]
        minimums.append(min(rps))
        medians.append(statistics.median(rps))
        p99 = statistics.median(r["p99"] for r in runs)
        failed = sum(r["failed"] for r in runs)
        kept = min(r["kept"] for r in runs)
        row = f"{minimums[-1]:>10.0f} {medians[-1]:>13.0f} {p99:>7.0f} {failed:>7} {kept:>10}"
        print(f"{label:<10} {row}")
    ratio_min, ratio_median = minimums[0] / minimums[1], medians[0] / medians[1]
    print(f"Argus ÷ Gin: min {ratio_min:.3f}, median {ratio_median:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    ab = require_ab()
    WORK.mkdir(parents=True, exist_ok=True)
    build_gin()
    files = generate_batch(WORK / "http-logs")
    data_dir = WORK / "http-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    argus = gin = None
    try:
        argus, argus_url, tokens = start_server(data_dir)
        report = upload_and_fetch_report(argus_url, files, tokens)
        body = WORK / "http-report.json"
        body.write_bytes(report)
        gin, gin_url = start_gin(body)
        urls = {"argus": f"{argus_url}/api/report/{BATCH}", "gin": f"{gin_url}/api/report/{BATCH}"}
        assert httpx.get(urls["gin"], timeout=10).content == report
        print(f"report {BATCH}: {len(report)} bytes, served by both")
        print(f"ab -n {args.requests} -c {args.concurrency}, {args.rounds} rounds, Argus then Gin")
        results: dict[tuple[str, str], list[dict]] = {}
        for n in range(args.rounds):
            for mode, flags in MODES:
                for name, url in urls.items():
                    r = run_ab(ab, url, flags, args.requests, args.concurrency, tokens.engineer)
                    assert r["length"] == len(report), (name, r["length"])
                    results.setdefault((mode, name), []).append(r)
                    print(
                        f"  round {n + 1} {mode:<10} {name:<5} {r['rps']:>9.0f} req/s", flush=True
                    )
        for mode, _ in MODES:
            print_mode(mode, results[(mode, "argus")], results[(mode, "gin")])
        print("\np99 = median over rounds of ab's 99th percentile (ms)")
        print("failed = failed + non-2xx responses, summed over rounds")
        print("kept-alive = fewest requests in a round answered on a reused connection")
    finally:
        stop(gin)
        stop(argus)


if __name__ == "__main__":
    main()
