"""A/B of the upload path: this tree's `argus serve` against another version's, in one run.

The two servers (same settings, their own data dirs) and the one baseline copy of
`bench/upload.py` take turns over `--rounds` (the order rotates each round); each upload is
`curl -T` of the same file, its blob removed after its turn (as the copy removes its file, so
every contender writes into the same page-cache state, decision 0040). Printed per contender:
median wall, median ratio to the copy of the same round, the API process' CPU per upload (all
its threads, from schedstat: nanoseconds, not clock ticks) and its event loop's share (the
main thread's).
The other version is a source folder: e.g. `git archive <commit> src | tar -x -C /tmp/base`,
then `--base-src /tmp/base/src` (it runs with this venv, its own `argus` first on the path).
Usage: python bench/upload_ab.py --base-src DIR [--size-mb 200] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
from pathlib import Path

from tokens import Tokens
from upload import copy_s, curl_s, drive_log, remove_blobs, server_env, start_server
from upload_budget import cpu_ns, create_batch

from argus.cli.client import sha256_of

UPLOAD_PATH = "/api/v1/batches/budget/files"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-src", type=Path, required=True, help="the other version's src/")
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    path = drive_log(args.size_mb)
    checksum = sha256_of(path)
    folders = {name: Path(tempfile.mkdtemp(prefix=f"argus-ab-{name}-")) for name in ("a", "b")}
    base_env = {**server_env(folders["b"]), "PYTHONPATH": str(args.base_src.resolve())}
    servers: dict[str, tuple[subprocess.Popen[bytes], str, Tokens]] = {}
    try:
        servers["this"] = start_server(folders["a"])
        servers["base"] = start_server(folders["b"], base_env)
        headers: dict[str, dict[str, str]] = {}
        for name, (_, url, tokens) in servers.items():
            auth = Tokens.header(tokens.vehicle)
            asyncio.run(create_batch(url, auth))
            headers[name] = {**auth, "X-Checksum-SHA256": checksum}
        order = ["copy", "this", "base"]
        wall: dict[str, list[float]] = {name: [] for name in order}
        cpu: dict[str, list[float]] = {"this": [], "base": []}
        loop_cpu: dict[str, list[float]] = {"this": [], "base": []}
        for round_no in range(args.rounds):
            turn = round_no % len(order)
            for name in order[turn:] + order[:turn]:
                if name == "copy":
                    wall[name].append(copy_s(path, folders["a"] / "blobs"))
                    continue
                process, url, _ = servers[name]
                before, loop_before = cpu_ns(process.pid), loop_cpu_ns(process.pid)
                target = f"{UPLOAD_PATH}/{round_no}.mcap"
                wall[name].append(curl_s(url, target, path, headers[name]))
                cpu[name].append((cpu_ns(process.pid) - before) / 1e9)
                loop_cpu[name].append((loop_cpu_ns(process.pid) - loop_before) / 1e9)
                remove_blobs(folders["a" if name == "this" else "b"] / "blobs")
        report(path.stat().st_size / 1e6, args.rounds, wall, cpu, loop_cpu)
    finally:
        for process, _, _ in servers.values():
            process.send_signal(signal.SIGTERM)
            process.wait(60)
        for folder in folders.values():
            shutil.rmtree(folder, ignore_errors=True)


def loop_cpu_ns(pid: int) -> int:
    """CPU nanoseconds of the process' main thread: the event loop (uvicorn runs on it)."""
    return int(Path(f"/proc/{pid}/task/{pid}/schedstat").read_text().split()[0])


def report(
    megabytes: float,
    rounds: int,
    wall: dict[str, list[float]],
    cpu: dict[str, list[float]],
    loop_cpu: dict[str, list[float]],
) -> None:
    load = os.getloadavg()[0]
    print(f"\n{megabytes:.0f} MB, curl -T, {rounds} interleaved rounds, load {load:.1f}")
    head = f"{'wall s':>7} {'MB/s':>6} {'ratio median':>13} {'ratio min':>10} {'API CPU s':>10}"
    head += f" {'loop CPU s':>11}"
    print(f"{'':>6} {head}")
    for name, times in wall.items():
        ratios = [c / t for c, t in zip(wall["copy"], times, strict=True)]
        spent = f"{statistics.median(cpu[name]):.3f}" if name in cpu else ""
        looped = f"{statistics.median(loop_cpu[name]):.3f}" if name in loop_cpu else ""
        median = statistics.median(times)
        print(
            f"{name:>6} {median:>7.3f} {megabytes / median:>6.0f}"
            f" {statistics.median(ratios):>13.2f} {min(ratios):>10.2f} {spent:>10} {looped:>11}"
        )
    # The two servers paired round by round (the copy's own noise left out).
    paired = [b / t for t, b in zip(wall["this"], wall["base"], strict=True)]
    faster = sum(p > 1 for p in paired)
    print(
        f"this vs base, per round: base wall ÷ this wall median {statistics.median(paired):.3f}"
        f" (min {min(paired):.3f}, max {max(paired):.3f}); this faster in {faster}/{rounds}"
    )


if __name__ == "__main__":
    main()
