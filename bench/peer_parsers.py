"""The parse peers of bench/compare.py: each reads one MCAP file and reports what it read.

Every contender returns {"seconds": S, "messages": N or None, "bytes": B or None}:
- argus: `NativeMcapParser`, default thread count, in a fresh process (bench/foxglove.py's
  worker), parse time only; messages, and payload bytes summed over its topics; and the same
  on one thread (`argus 1 thr`), so the table shows what the threads buy;
- foxglove: foxglove's C++ reader (bench/foxglove.py builds it), open + readMessages();
- rust mcap: the `mcap` crate's MessageStream over the mapped file (bench/peers/rust-mcap);
- go mcap: github.com/foxglove/mcap/go/mcap, file order through the index (bench/peers/go-mcap);
- python mcap: the upstream reader, `make_reader(...).iter_messages(log_time_order=False)`,
  in a fresh process of this interpreter, parse time only;
- zstd -d / lz4 -d: the file's chunk payloads, extracted once into a file of concatenated
  frames (MCAP framing is not theirs to read), whole process, one thread: they count nothing;
- cat: the file to /dev/null, whole process: reading the bytes from the page cache, the floor.
Builds are cached under var/bench/ and redone only when a source is newer.

Worker mode (the python mcap child): python bench/peer_parsers.py python-mcap FILE
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from foxglove import build_counter, run_argus, run_foxglove
from parse import CACHE, ROOT, chunk_payloads

PEERS = ROOT / "bench" / "peers"
RUST_SRC = PEERS / "rust-mcap"
RUST_TARGET = CACHE / "rust-mcap-target"
RUST_BIN = RUST_TARGET / "release" / "rust-mcap-count"
GO_SRC = PEERS / "go-mcap"
GO_BIN = CACHE / "go-mcap-count"
# Where the toolchains live when they are not on PATH (rustup's and the Go tarball's homes).
TOOL_HOMES = (Path.home() / ".cargo" / "bin", Path("/usr/local/go/bin"))

Result = dict[str, Any]
Contender = Callable[[Path], Result]


def find_tool(name: str) -> str:
    found = shutil.which(name) or next(
        (str(home / name) for home in TOOL_HOMES if (home / name).exists()), None
    )
    if found is None:
        hint = "apt-get install cargo" if name == "cargo" else "apt-get install golang-go"
        raise SystemExit(f"{name} is missing (not on PATH nor in {TOOL_HOMES}): {hint}")
    return found


def _nice(argv: list[str]) -> list[str]:
    """Builds run under nice: the machine is shared, a build must not slow a timed run."""
    return ["nice", "-n", "10", *argv]


def build_rust() -> Path:
    """cargo build --release; a no-op (no network: Cargo.lock pins) when nothing changed."""
    print("building the Rust mcap peer (cargo build --release) …", flush=True)
    env = {**os.environ, "CARGO_TARGET_DIR": str(RUST_TARGET)}
    cmd = _nice([find_tool("cargo"), "build", "--release", "--quiet"])
    subprocess.run(cmd, cwd=RUST_SRC, env=env, check=True, timeout=1200)
    return RUST_BIN


def build_go() -> Path:
    print("building the Go mcap peer (go build) …", flush=True)
    cmd = _nice([find_tool("go"), "build", "-o", str(GO_BIN), "."])
    subprocess.run(cmd, cwd=GO_SRC, check=True, timeout=1200)
    return GO_BIN


def build_peers() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    build_counter()
    build_rust()
    build_go()


def _json_of(argv: list[str]) -> Result:
    proc = subprocess.run(argv, stdout=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed with exit code {proc.returncode}")
    result: Result = json.loads(proc.stdout)
    return result


def _whole_process(argv: list[str]) -> Result:
    """Wall time of a process whose output is discarded: the byte-level baselines."""
    start = time.perf_counter()
    code = subprocess.run(argv, stdout=subprocess.DEVNULL, check=False).returncode
    seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} failed with exit code {code}")
    return {"seconds": seconds, "messages": None, "bytes": None}


def lz4_payloads(path: Path) -> Path:
    """The file's lz4 chunk payloads as one file of concatenated lz4 frames (made once)."""
    from mcap.records import Chunk
    from mcap.stream_reader import StreamReader

    out = path.with_suffix(".chunks.lz4")
    if not out.exists():
        partial = out.with_suffix(".partial")
        with open(path, "rb") as stream, open(partial, "wb") as sink:
            for record in StreamReader(stream, emit_chunks=True).records:
                if isinstance(record, Chunk):
                    if record.compression != "lz4":
                        raise SystemExit(f"{path.name}: chunk compression {record.compression!r}")
                    sink.write(record.data)
        partial.rename(out)
    return out


def decompressor(path: Path, compression: str) -> tuple[str, Contender]:
    """The CLI that inflates the file's chunk payloads, one thread, output discarded."""
    if compression == "zstd":
        payloads, _, _ = chunk_payloads(path)
        argv = [find_tool("zstd"), "-d", "-q", "-c", "-T1", str(payloads)]
        return "zstd -d", lambda _: _whole_process(argv)
    payloads = lz4_payloads(path)
    argv = [find_tool("lz4"), "-d", "-q", "-c", str(payloads)]
    return "lz4 -d", lambda _: _whole_process(argv)


def contenders(path: Path, compression: str) -> dict[str, Contender]:
    """Argus first (the numerator of every ratio), then the peers; built and extracted."""
    decompress_name, decompress = decompressor(path, compression)
    return {
        "argus": lambda p: run_argus(None, p),
        # Argus against itself on one thread: are its threads worth it on this machine now?
        "argus 1 thr": lambda p: run_argus(1, p),
        "foxglove C++": run_foxglove,
        "rust mcap": lambda p: _json_of([str(RUST_BIN), str(p)]),
        "go mcap": lambda p: _json_of([str(GO_BIN), str(p)]),
        "python mcap": lambda p: _json_of([sys.executable, __file__, "python-mcap", str(p)]),
        decompress_name: decompress,
        "cat": lambda p: _whole_process(["cat", str(p)]),
    }


def python_mcap_worker(path: str) -> None:
    """Child process: the upstream Python reader over every message, in file order."""
    from mcap.reader import make_reader

    start = time.perf_counter()
    messages = payload = 0
    with open(path, "rb") as stream:
        reader = make_reader(stream)
        for _, _, message in reader.iter_messages(log_time_order=False):
            messages += 1
            payload += len(message.data)
    seconds = time.perf_counter() - start
    print(json.dumps({"messages": messages, "bytes": payload, "seconds": seconds}))


if __name__ == "__main__":
    if sys.argv[1:2] != ["python-mcap"] or len(sys.argv) != 3:
        raise SystemExit(f"usage: {sys.argv[0]} python-mcap FILE.mcap")
    python_mcap_worker(sys.argv[2])
