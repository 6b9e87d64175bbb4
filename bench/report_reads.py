"""Report read benchmark: `GET /api/report/{id}` of a real embedded `argus serve` against a Go
Gin server (bench/peers/gin) serving the same response bytes from memory, in the same run.

Uploads a small generated batch (2 files × 5 MB, lidar-dropout@3+2), waits for its report,
hands the report bytes to the Gin peer, then for each round loads, interleaved, each Argus
contender of `--argus` (an `argus serve` per entry: `1`, `2` … HTTP worker processes on
uvicorn, `granian:1`, `granian:2` … on granian; each its own data dir and the same batch),
with `--before SRC` one more running the code of SRC (e.g. an earlier commit exported with
`git archive`, put first on its PYTHONPATH), and Gin: `ab` with HTTP/1.0 (a connection per
request), `ab -k`, and `wrk` (HTTP/1.1 keep-alive), every request with the bearer token.
Prints per mode min/median requests/s, the median 99th-percentile latency, failed requests,
and the ratios Argus ÷ Gin (req/s, and p99 Gin ÷ Argus); after each run the server's own
counts of where it answered from (process memory, Redis, database: every process summed,
from the admin route /api/v1/admin/read-stats), so the figures show the hot path was measured.
The machine is shared and noisy: the ratios matter, not the absolutes.
`--bare rsgi:1,asginl:2` adds the ceiling: granian serving the same bytes with no checks
(bench/peers/granian_report.py, RSGI or ASGI, N processes).
Usage: python bench/report_reads.py [--rounds 3] [--requests 1000] [--concurrency 100]
       [--seconds 5] [--argus 1,2,granian:2] [--bare rsgi:1,asginl:1] [--modes ab,ab-k,wrk]
       [--before /tmp/before/src]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import zlib
from pathlib import Path

import httpx
from read_counts import Contender, admin_token, print_counts
from tokens import Tokens
from upload import server_env, start_server  # bench/ leads sys.path (run as a script)
from wrk_load import require_wrk, run_wrk

from argus.cli.client import sha256_of
from argus.infrastructure.embedded.process import free_port

ROOT = Path(__file__).resolve().parents[1]

WORK = ROOT / "var" / "bench"
GIN_SRC = ROOT / "bench" / "peers" / "gin"
GIN_BIN = WORK / "gin-report"
GRANIAN_PEER = ROOT / "bench" / "peers" / "granian_report.py"
BATCH = "bench-http"
MODES = (
    ("ab HTTP/1.0", ["ab"], "ab"),
    ("ab keep-alive", ["ab", "-k"], "ab-k"),
    ("wrk keep-alive", ["wrk"], "wrk"),
)


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


def wait_started(
    process: subprocess.Popen[bytes], base_url: str, what: str, *, seconds: float = 10.0
) -> tuple[subprocess.Popen[bytes], str]:
    """`process` once its /healthz answers 200; killed, and the bench ended, if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return process, base_url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    process.wait()
    raise SystemExit(f"{what} did not start")


def start_bare_granian(body: Path, spec: str) -> tuple[subprocess.Popen[bytes], str]:
    """The ceiling peer (bench/peers/granian_report.py): `rsgi:N` or `asginl:N`, no checks."""
    interface, _, workers = spec.partition(":")
    port = free_port()
    argv = [sys.executable, str(GRANIAN_PEER), "--body", str(body), "--port", str(port)]
    argv += ["--interface", interface, "--workers", workers or "1"]
    return wait_started(subprocess.Popen(argv), f"http://127.0.0.1:{port}", f"granian {spec}")


def start_gin(body: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([str(GIN_BIN), "-body", str(body), "-port", str(port)])
    return wait_started(process, f"http://127.0.0.1:{port}", "the Gin peer")


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
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def print_mode(mode: str, runs: dict[str, list[dict]]) -> None:
    print(f"\n{mode}")
    head = f"{'min req/s':>10} {'median req/s':>13} {'p99 ms':>7} {'failed':>7} {'kept-alive':>10}"
    print(f"{'contender':<16} {head}")
    medians, p99s = {}, {}
    for label, results in runs.items():
        rps = [r["rps"] for r in results]
        medians[label] = statistics.median(rps)
        p99s[label] = statistics.median(r["p99"] for r in results)
        failed = sum(r["failed"] for r in results)
        kept = min(r["kept"] for r in results)
        row = (
            f"{min(rps):>10.0f} {medians[label]:>13.0f} {p99s[label]:>7.1f} {failed:>7} {kept:>10}"
        )
        print(f"{label:<16} {row}")
    for label in (name for name in runs if name != "gin"):
        ratio = medians[label] / medians["gin"]
        p99_ratio = p99s["gin"] / p99s[label] if p99s[label] else float("inf")
        print(f"{label} ÷ Gin: median req/s {ratio:.3f}, p99 Gin ÷ {label} {p99_ratio:.3f}")


# The editable install's import hook comes before PYTHONPATH; a sitecustomize (run after the
# .pth files) removes it, so `argus` is imported from the `--before` tree.
_UNHOOK = """import sys
sys.meta_path[:] = [f for f in sys.meta_path if "Redirecting" not in type(f).__name__]
"""


def start_before(src: Path) -> tuple[subprocess.Popen[bytes], str, Tokens]:
    """`argus serve` of the code under `src` (first on its PYTHONPATH), own data dir."""
    data_dir = WORK / "http-data-before"
    shutil.rmtree(data_dir, ignore_errors=True)
    site = WORK / "before-site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(_UNHOOK)
    env = server_env(data_dir)
    paths = (str(site), str(src), env.get("PYTHONPATH"))
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    check = [sys.executable, "-c", "import argus; print(argus.__file__)"]
    where = subprocess.run(check, env=env, capture_output=True, text=True, check=True).stdout
    if not where.startswith(str(src)):
        raise SystemExit(f"--before: argus was imported from {where.strip()}, not {src}")
    return start_server(data_dir, env)


def load(mode: list[str], url: str, args: argparse.Namespace, token: str) -> dict:
    if mode[0] == "wrk":
        return run_wrk(
            require_wrk(), url, token=token, connections=args.concurrency, seconds=args.seconds
        )
    return run_ab(require_ab(), url, mode[1:], args.requests, args.concurrency, token)


def start_argus(
    name: str, settings: dict[str, str], files: list[Path]
) -> tuple[subprocess.Popen[bytes], Contender, bytes]:
    # Short: PostgreSQL's socket path under it must stay within 107 bytes.
    slug = re.sub(r"[^a-z0-9-]", "-", name)[:20] + "-" + format(zlib.crc32(name.encode()), "x")
    data_dir = WORK / ("http-data-" + slug)
    shutil.rmtree(data_dir, ignore_errors=True)
    env = server_env(data_dir) | settings
    process, base_url, tokens = start_server(data_dir, env)
    report = upload_and_fetch_report(base_url, files, tokens)
    url = f"{base_url}/api/report/{BATCH}"
    contender = Contender(url, tokens.engineer, f"{base_url}/api/v1/admin/read-stats")
    contender.admin = admin_token(env)
    return process, contender, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=5, help="length of one wrk run")
    parser.add_argument(
        "--argus",
        default="1,2,granian:1,granian:2",
        help="Argus contenders: N worker processes on uvicorn (N) or on granian (granian:N); "
        "`@K=V;K=V` after one: settings of that contender only",
    )
    parser.add_argument(
        "--argus-env",
        default="",
        help="settings for every Argus contender, e.g. ARGUS_LIMITS_RATE_RESERVE=100 (comma-sep.)",
    )
    parser.add_argument(
        "--bare",
        default="",
        help="ceiling peers, the same bytes with no checks: granian rsgi:N or asginl:N",
    )
    parser.add_argument("--modes", default="ab,ab-k,wrk", help="which loads: ab, ab-k, wrk")
    parser.add_argument("--before", type=Path, help="src/ of the code to compare against")
    args = parser.parse_args()
    require_ab()
    require_wrk()
    WORK.mkdir(parents=True, exist_ok=True)
    build_gin()
    files = generate_batch(WORK / "http-logs")
    modes = [m for m in MODES if m[2] in args.modes.split(",")]
    processes: list[subprocess.Popen[bytes] | None] = []
    contenders: dict[str, Contender] = {}
    try:
        report = b""
        for spec in args.argus.split(","):
            spec, _, extra = spec.partition("@")  # "granian:2@ARGUS_LIMITS_RATE_RESERVE=100"
            server, _, workers = spec.rpartition(":")  # "2" or "granian:2"
            name = f"argus-{server + '-' if server else ''}{workers}w"
            name += f"@{extra.replace('ARGUS_', '').lower()}" if extra else ""
            env = {"ARGUS_HTTP_SERVER": server or "uvicorn", "ARGUS_HTTP_WORKERS": workers}
            pairs = [*args.argus_env.split(","), *extra.split(";")]
            env |= dict(kv.split("=", 1) for kv in filter(None, pairs))
            process, contenders[name], report = start_argus(name, env, files)
            processes.append(process)
        if args.before is not None:
            plain, plain_url, before_tokens = start_before(args.before)
            processes.append(plain)
            upload_and_fetch_report(plain_url, files, before_tokens)
            url = f"{plain_url}/api/report/{BATCH}"
            contenders["argus-before"] = Contender(url, before_tokens.engineer)
        body = WORK / "http-report.json"
        body.write_bytes(report)
        gin, gin_url = start_gin(body)
        processes.append(gin)
        contenders["gin"] = Contender(f"{gin_url}/api/report/{BATCH}", "")
        for spec in filter(None, args.bare.split(",")):
            bare, bare_url = start_bare_granian(body, spec)
            processes.append(bare)
            contenders[f"bare-{spec.replace(':', '-')}w"] = Contender(f"{bare_url}/r", "")
        # The Gin peer ignores the header, but gets the same bytes on the wire.
        any_token = next(iter(contenders.values())).token
        for name in (n for n in contenders if n == "gin" or n.startswith("bare-")):
            assert httpx.get(contenders[name].url, timeout=10).content == report, name
        print(f"report {BATCH}: {len(report)} bytes, served by every contender")
        print(
            f"ab -n {args.requests} -c {args.concurrency}; wrk -c {args.concurrency} "
            f"-d {args.seconds}s; {args.rounds} rounds, contenders interleaved"
        )
        results: dict[tuple[str, str], list[dict]] = {}
        for n in range(args.rounds):
            for mode, flags, _ in modes:
                for name, c in contenders.items():
                    r = load(flags, c.url, args, c.token or any_token)
                    if "length" in r:
                        assert r["length"] == len(report), (name, r["length"])
                    results.setdefault((mode, name), []).append(r)
                    line = f"  round {n + 1} {mode:<14} {name:<15} {r['rps']:>9.0f} req/s"
                    print(line + c.count_reads(), flush=True)
        for mode, _, _ in modes:
            print_mode(mode, {name: results[(mode, name)] for name in contenders})
        print_counts(contenders)
        print("\np99 = median over rounds of the 99th percentile (ms)")
        print("failed = failed + non-2xx responses (wrk: socket errors + non-2xx/3xx), summed")
        print("kept-alive = fewest requests in a round answered on a reused connection (ab)")
    finally:
        for process in reversed(processes):
            stop(process)


if __name__ == "__main__":
    main()
