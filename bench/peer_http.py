"""The HTTP peers of bench/compare.py: the same finished report's bytes from three servers.

bench/report_reads.py's set-up, reused: a real embedded `argus serve` with its default HTTP
processes (one per core; the read path with its token check), a generated batch uploaded and
its report awaited; then the Gin peer (bench/peers/gin) and a bare Starlette app on uvicorn
(bench/peers/starlette_report.py) serve those exact bytes. Each round loads every contender
in turn with `ab` HTTP/1.0, `ab -k` and `wrk` (HTTP/1.1 keep-alive), every request with the
engineer's bearer token.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
from report_reads import (
    BATCH,
    MODES,
    WORK,
    build_gin,
    generate_batch,
    load,
    require_ab,
    start_gin,
    stop,
    upload_and_fetch_report,
    wait_started,
)
from upload import server_env, start_server
from wrk_load import require_wrk

from argus.infrastructure.embedded.process import free_port

STARLETTE_APP = Path(__file__).resolve().parent / "peers" / "starlette_report.py"
Result = dict[str, Any]


def start_starlette(body: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    argv = [sys.executable, str(STARLETTE_APP), "--body", str(body), "--port", str(port)]
    return wait_started(subprocess.Popen(argv), f"http://127.0.0.1:{port}", "the Starlette peer")


@contextmanager
def http_contenders() -> Iterator[tuple[dict[str, str], str, int]]:
    """({name: report URL}, the engineer's token, the report's length), servers stopped after."""
    require_ab()
    require_wrk()
    WORK.mkdir(parents=True, exist_ok=True)
    build_gin()
    files = generate_batch(WORK / "http-logs")
    data_dir = WORK / "http-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    with ExitStack() as servers:
        # Argus as served by default: upload's bench env pins one HTTP process (it reads that
        # process' CPU); the reads are measured with the default, one per core (0031, 0039).
        env = server_env(data_dir)
        env.pop("ARGUS_HTTP_WORKERS")
        if "ARGUS_HTTP_WORKERS" in os.environ:
            env["ARGUS_HTTP_WORKERS"] = os.environ["ARGUS_HTTP_WORKERS"]
        argus, argus_url, tokens = start_server(data_dir, env)
        servers.callback(stop, argus)
        report = upload_and_fetch_report(argus_url, files, tokens)
        body = WORK / "http-report.json"
        body.write_bytes(report)
        gin, gin_url = start_gin(body)
        servers.callback(stop, gin)
        starlette, starlette_url = start_starlette(body)
        servers.callback(stop, starlette)
        path = f"/api/report/{BATCH}"
        urls = {"argus": argus_url + path, "gin": gin_url + path, "starlette": starlette_url + path}
        auth = {"Authorization": f"Bearer {tokens.engineer}"}
        for name, url in urls.items():
            if httpx.get(url, headers=auth, timeout=30).content != report:
                raise SystemExit(f"{name} does not serve the report's bytes")
        yield urls, tokens.engineer, len(report)


def http_rounds(
    rounds: int, load_args: argparse.Namespace, record: Callable[[str, str, Result], None]
) -> int:
    """Interleaved rounds: every mode, every contender, then again; returns the body length."""
    with http_contenders() as (urls, token, length):
        print(f"report: {length:,} bytes, served byte-identical by {', '.join(urls)}")
        for n in range(rounds):
            for mode, flags, _key in MODES:
                for name, url in urls.items():
                    result = load(flags, url, load_args, token)
                    if "length" in result and result["length"] != length:
                        print(f"MISMATCH: {name} answered {result['length']} bytes, not {length}")
                    record(mode, name, result)
                    print(f"  round {n + 1} {mode:<14} {name:<10} {result['rps']:>9.0f} req/s")
        return length
