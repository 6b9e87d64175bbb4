"""`wrk` (HTTP/1.1 keep-alive load) for the HTTP benches: run it, parse req/s, p99, errors."""

from __future__ import annotations

import re
import shutil
import subprocess

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is missing: install it with `apt-get install -y wrk`")
    return wrk


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise SystemExit(f"cannot parse wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(
    wrk: str, url: str, *, token: str, connections: int, seconds: int, threads: int = 2
) -> dict:
    """One wrk run: requests/s, the 99th percentile (ms), failed (socket errors + non-2xx/3xx)."""
    cmd = [wrk, "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    cmd += ["-H", f"Authorization: Bearer {token}", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    if out.returncode != 0:
        raise SystemExit(f"wrk failed ({out.returncode}): {out.stderr.strip()[:500]}")
    text = out.stdout
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.MULTILINE)
    if rps is None or p99 is None:
        raise SystemExit(f"cannot parse wrk output:\n{text}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    failed = int(non_2xx.group(1)) if non_2xx else 0
    failed += sum(int(g) for g in errors.groups()) if errors else 0
    return {"rps": float(rps.group(1)), "p99": _ms(p99.group(1)), "failed": failed, "kept": 0}
