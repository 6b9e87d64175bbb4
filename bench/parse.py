"""Parse benchmark: the native core vs the Python reference vs `zstd -d`, on the same file.

(a) native with its default thread count (chunks decompressed on one thread per usable
core, the reading thread among them), (a1) native on one thread, (b) Python reference: each
parses the whole drive log in a fresh process, so its peak RSS (VmHWM) is its own. (a1)
against (b) is the per-core comparison; (a) is what one file costs in wall time here.
(c) `zstd -d` (Debian's zstd CLI, one thread) decompresses the chunk payloads of the same
file, extracted once into a .zst file of concatenated frames: the same compressed bytes the
parsers inflate, without MCAP framing, which zstd cannot read. It is the ceiling for one core
on a compressed file: a parser cannot inflate its data faster than zstd does on one thread.
Throughput is file bytes per second for all, so ratios compare time on the same work.

Usage: python bench/parse.py [--size-mb 2000] [--dense] [--skip-python] [--repeat N]
                             [--threads 1,2,3,4]
Files are generated once and cached in var/bench/ (generation is not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench"
DECODED = {"rcl_interfaces/msg/Log", "diagnostic_msgs/msg/DiagnosticArray", "foxglove.Log"}


def require_fresh_native() -> None:
    """Ends the bench when the installed `argus._native` is older than a source of it.

    `make` rebuilds the extension when a native source changed; a bench started directly does
    not, and a venv copied into a new worktree keeps the build it was copied with. A stale
    build once printed figures of code that was no longer there (session 7's lz4 figures)."""
    try:
        import argus._native as native
    except ImportError:
        return  # not built: the contenders that need it say so themselves
    built = Path(native.__file__).stat().st_mtime
    sources = [ROOT / "native" / "CMakeLists.txt", *(ROOT / "native" / "src").iterdir()]
    stale = [p.name for p in sources if p.stat().st_mtime > built]
    if stale:
        raise SystemExit(
            f"argus._native was built before {', '.join(sorted(stale)[:3])} changed:"
            " run `make native-build` first"
        )


def generated_log(name: str, **options: Any) -> Path:
    """`CACHE/name`, a generated drive log (`argus.loggen.generate_drive_log(seed=1,
    **options)`), made once and kept between runs. Written under another name and renamed
    when complete: a run stopped mid-generation leaves no truncated log for the next run."""
    from argus.loggen import generate_drive_log

    path = CACHE / name
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name} …", flush=True)
        partial = path.with_suffix(".partial")
        generate_drive_log(partial, seed=1, **options)
        partial.rename(path)
    return path


def drive_log(size_mb: int) -> Path:
    """The ~size_mb MB drive log (zstd chunks) of the parse, compare and upload benches."""
    return generated_log(f"drive-{size_mb}mb.mcap", target_bytes=size_mb * 1_000_000)


def dense_log() -> Path:
    """A long drive log with tiny payloads: ~1M messages, where per-message cost dominates."""
    return generated_log("dense-3000s.mcap", duration_s=3000.0, target_bytes=50_000_000)


SUFFIX = {"zstd": ".zst", "lz4": ".lz4"}


def chunk_payloads(path: Path) -> tuple[Path, int, int]:
    """The file's compressed chunk data, frames end to end, as one .zst or .lz4 file (what
    `zstd -d`/`lz4 -d` decompress); (path, largest chunk, total raw). One codec per file."""
    from mcap.records import Chunk
    from mcap.stream_reader import StreamReader

    meta = path.with_suffix(".chunks.json")
    if not meta.exists():
        largest = total = 0
        compression = ""
        partial = path.with_suffix(".chunks.partial")
        with open(path, "rb") as stream, open(partial, "wb") as sink:
            for record in StreamReader(stream, emit_chunks=True).records:
                if isinstance(record, Chunk):
                    mixed = compression not in ("", record.compression)
                    if record.compression not in SUFFIX or mixed:
                        raise SystemExit(f"{path.name}: chunk compression {record.compression!r}")
                    compression = record.compression
                    sink.write(record.data)
                    largest = max(largest, record.uncompressed_size)
                    total += record.uncompressed_size
        partial.rename(path.with_suffix(".chunks" + SUFFIX[compression]))
        info = {"largest": largest, "total": total, "compression": compression}
        meta_partial = meta.with_suffix(".partial")
        meta_partial.write_text(json.dumps(info))
        meta_partial.rename(meta)  # last: its presence says the payloads are complete
    info = json.loads(meta.read_text())
    out = path.with_suffix(".chunks" + SUFFIX[info.get("compression", "zstd")])
    return out, int(info["largest"]), int(info["total"])


def _wait(proc: subprocess.Popen[bytes]) -> tuple[int, float]:
    """(exit status, peak RSS in MB) of a finished child, from wait4's rusage."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024


def best_of(repeat: int, run: Any, *args: Any) -> dict[str, Any]:
    """The fastest of `repeat` runs (the machine is shared; the minimum is the least noisy)."""
    runs = [run(*args) for _ in range(repeat)]
    return min(runs, key=lambda r: float(r["seconds"]))


def run_engine(engine: str, path: Path) -> dict[str, Any]:
    """Parse `path` with `engine` in a fresh interpreter; seconds, summary counts, peak RSS."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--worker", engine, str(path)], stdout=subprocess.PIPE
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    code, rss_mb = _wait(proc)
    if code != 0:
        raise SystemExit(f"{engine} worker failed with exit code {code}")
    result: dict[str, Any] = json.loads(output)
    result["peak_rss_mb"] = rss_mb
    return result


def run_decompressor(payloads: Path) -> dict[str, Any]:
    """`zstd -d` or `lz4 -d` (by the file's suffix) of the payloads to /dev/null, one thread."""
    tool = "lz4" if payloads.suffix == ".lz4" else "zstd"
    binary = shutil.which(tool)
    if binary is None:
        raise SystemExit(f"the {tool} CLI is missing: apt-get install {tool}")
    argv = [binary, "-d", "-q", "-c", *(["-T1"] if tool == "zstd" else []), str(payloads)]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    code, rss_mb = _wait(proc)
    seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"{tool} -d failed with exit code {code}")
    return {"seconds": seconds, "peak_rss_mb": rss_mb}


def worker(engine: str, path: str) -> None:
    """Child process: parse once and print the measurements as JSON."""
    if engine.startswith("native"):
        from argus.infrastructure.parsing.native import NativeMcapParser

        # "native" uses the default thread count, "native-N" N threads.
        _, _, threads = engine.partition("-")
        parser: Any = NativeMcapParser(threads=int(threads) if threads else None)
    else:
        from argus.infrastructure.parsing import PythonMcapParser

        parser = PythonMcapParser()
    start = time.perf_counter()
    parsed = parser.parse(path)
    seconds = time.perf_counter() - start
    decoded = sum(t.count for t in parsed.topics.values() if t.schema in DECODED)
    summary = parsed.to_dict()
    summary.pop("engine")
    print(
        json.dumps(
            {
                "seconds": seconds,
                "messages": parsed.message_count,
                "decoded": decoded,
                "complete": parsed.complete,
                "summary": summary,
            }
        )
    )


def _row(name: str, r: dict[str, Any], size: int, messages: int, decoded: int) -> str:
    s = r["seconds"]
    return (
        f"{name:<18}{s:9.2f}{messages / s:14,.0f}{decoded / s:12,.0f}"
        f"{size / s / 1e6:10.0f}{r['peak_rss_mb']:10.1f}"
    )


def bench(path: Path, *, skip_python: bool, with_zstd: bool, repeat: int) -> None:
    size = path.stat().st_size
    print(f"\n{path.name}: {size / 1e6:,.0f} MB, best of {repeat}")
    from argus.infrastructure.parsing.native import default_threads

    native = best_of(repeat, run_engine, "native", path)
    single = best_of(repeat, run_engine, "native-1", path)
    python = None if skip_python else best_of(repeat, run_engine, "python", path)
    for other in (single, python):
        if other is not None and other["summary"] != native["summary"]:
            raise SystemExit("the engines' summaries differ")
    messages, decoded = native["messages"], native["decoded"]
    print(f"{'':<18}{'seconds':>9}{'messages/s':>14}{'decoded/s':>12}{'MB/s':>10}{'peak MB':>10}")
    print(_row(f"(a) native, {default_threads()} thr", native, size, messages, decoded))
    print(_row("(a1) native, 1 thr", single, size, messages, decoded))
    if python is not None:
        print(_row("(b) python", python, size, messages, decoded))
    if with_zstd:
        payloads, largest, total = chunk_payloads(path)
        zstd = best_of(repeat, run_decompressor, payloads)
        print(_row("(c) zstd -d", zstd, size, messages, decoded))
        print(
            f"a/c (throughput) = {zstd['seconds'] / native['seconds']:.2f}, "
            f"a1/c = {zstd['seconds'] / single['seconds']:.2f}"
        )
        budget = 64 + largest / 2**20
        print(
            f"largest chunk {largest / 2**20:.2f} MiB, {total / 1e6:,.0f} MB inflated; native peak "
            f"RSS {native['peak_rss_mb']:.1f} MB vs budget 64 MB + largest chunk = {budget:.1f} MB"
        )
    if python is not None:
        print(
            f"a/b (messages/s) = {python['seconds'] / native['seconds']:.2f}, "
            f"a1/b = {python['seconds'] / single['seconds']:.2f}"
        )


def sweep(path: Path, counts: list[int], repeat: int) -> None:
    """The native core with each thread count, against one thread in the same run."""
    print(f"\n{path.name}: thread counts, best of {repeat}")
    runs = {n: best_of(repeat, run_engine, f"native-{n}", path) for n in sorted({1, *counts})}
    base = runs[1]["seconds"]
    for n, r in runs.items():
        print(f"{n:>3} threads {r['seconds']:8.2f} s  {base / r['seconds']:5.2f}x one thread")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=2000, help="drive log size (>= 1000)")
    parser.add_argument("--dense", action="store_true", help="also a ~1M-message drive log")
    parser.add_argument("--skip-python", action="store_true", help="native and zstd only")
    parser.add_argument("--repeat", type=int, default=1, help="runs per engine; best is shown")
    parser.add_argument("--threads", help="also sweep these thread counts, e.g. 1,2,3,4")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    require_fresh_native()
    common = {"skip_python": args.skip_python, "repeat": args.repeat}
    bench(drive_log(args.size_mb), with_zstd=True, **common)
    if args.threads:
        sweep(drive_log(args.size_mb), [int(n) for n in args.threads.split(",")], args.repeat)
    if args.dense:
        bench(dense_log(), with_zstd=True, **common)


if __name__ == "__main__":
    main()
