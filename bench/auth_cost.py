"""What the token check costs on the hot read path: `GET /api/report/{id}` with and without it,
in the same run, interleaved.

Starts `argus serve` (embedded) for the data, uploads a small batch and waits for its report,
then starts two query-only API processes over the same PostgreSQL and Redis, identical but for
the authenticator: one checks the bearer token (hash, cache, expiry, object-level rule), the
other trusts a fixed engineer (the ASGI middleware, owner lookup and rule still run; only the
token check is gone). That second app is built here, by the composition root's `auth`
parameter, and exists nowhere else. `ab` alternates between them every round (the order flips
each round) with HTTP/1.0 and keep-alive; prints median req/s, p99 and the ratio (goal ≥ 0.9).
Usage: python bench/auth_cost.py [--rounds 5] [--requests 5000] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import httpx
from report_reads import BATCH, MODES, generate_batch, require_ab, run_ab, stop, wait_started
from report_reads import upload_and_fetch_report as upload_report
from tokens import FLEET
from upload import server_env, start_server

from argus.infrastructure.embedded.process import free_port

ROOT = Path(__file__).resolve().parents[1]
# ab's loads only (this bench reads ab's output); the flags after the program's name.
AB_MODES = [(mode, argv[1:]) for mode, argv, _ in MODES if argv[0] == "ab"]
WORK = ROOT / "var" / "bench"


async def serve_reports(*, check_tokens: bool, port: int) -> None:
    """A query-only API over the data dir's servers (what `argus query` serves)."""
    import uvicorn

    from argus.application.identity import Authenticator
    from argus.bootstrap import connect, embedded_stack
    from argus.config import load_settings
    from argus.domain.identity import Principal, Role
    from argus.entrypoints.http import http_services
    from argus.interfaces.http.app import create_app

    class TrustEveryone(Authenticator):
        """No token check: every request is the bench fleet's engineer."""

        def __init__(self) -> None:
            self._principal = Principal("bench-unchecked", Role.ENGINEER, FLEET, name="bench")

        async def authenticate(self, raw: str) -> Principal:
            return self._principal

    settings = load_settings()
    stack = embedded_stack(settings)
    adapters = await connect(
        settings, pg_url=stack.postgres.dsn, redis_url=stack.redis.url, run_migrations=False
    )
    auth = None if check_tokens else TrustEveryone()
    app = create_app(http_services(adapters, auth=auth), ingest=False)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, backlog=2048
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        await adapters.close()


def start_api(env: dict[str, str], *, check_tokens: bool) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    mode = "checked" if check_tokens else "unchecked"
    cmd = [sys.executable, __file__, "--serve", mode, "--port", str(port)]
    process = subprocess.Popen(cmd, env=env, cwd=Path(__file__).parent)
    return wait_started(process, f"http://127.0.0.1:{port}", f"the {mode} API", seconds=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--serve", choices=["checked", "unchecked"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve_reports(check_tokens=args.serve == "checked", port=args.port))
        return
    ab = require_ab()
    WORK.mkdir(parents=True, exist_ok=True)
    files = generate_batch(WORK / "auth-logs")
    data_dir = WORK / "auth-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    env = {**server_env(data_dir), "PYTHONPATH": os.pathsep.join(sys.path)}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        serve, serve_url, tokens = start_server(data_dir, env)
        processes.append(serve)
        report = upload_report(serve_url, files, tokens)
        urls = {}
        for check in (True, False):
            process, url = start_api(env, check_tokens=check)
            processes.append(process)
            urls["with check" if check else "without"] = f"{url}/api/report/{BATCH}"
        for url in urls.values():
            got = httpx.get(url, headers={"Authorization": f"Bearer {tokens.engineer}"})
            assert got.content == report, got.text[:200]
        print(f"report {BATCH}: {len(report)} bytes; ab -n {args.requests} -c {args.concurrency}")
        results: dict[tuple[str, str], list[dict]] = {}
        for n in range(args.rounds):
            order = list(urls.items()) if n % 2 == 0 else list(urls.items())[::-1]
            for mode, flags in AB_MODES:
                for name, url in order:
                    r = run_ab(ab, url, flags, args.requests, args.concurrency, tokens.engineer)
                    assert r["length"] == len(report) and r["failed"] == 0, (name, r)
                    results.setdefault((mode, name), []).append(r)
                    print(f"  round {n + 1} {mode:<10} {name:<10} {r['rps']:>8.0f} req/s")
        for mode, _ in AB_MODES:
            print(f"\n{mode}")
            medians = {}
            for name in urls:
                runs = results[(mode, name)]
                medians[name] = statistics.median(r["rps"] for r in runs)
                p99 = statistics.median(r["p99"] for r in runs)
                print(f"  {name:<10} median {medians[name]:>8.0f} req/s, p99 {p99:.0f} ms")
            ratio = medians["with check"] / medians["without"]
            print(f"  with ÷ without: {ratio:.3f} (goal ≥ 0.9)")
    finally:
        for process in reversed(processes):
            stop(process)


if __name__ == "__main__":
    main()
