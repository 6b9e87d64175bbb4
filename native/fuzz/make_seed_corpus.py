"""Writes the fuzzer's seed corpus: small shared MCAP files and generated drive logs.

Usage: python native/fuzz/make_seed_corpus.py --out var/fuzz/seeds --shared ../shared/data/mcap
Idempotent: files already present are kept. Seeds cover every compression, both chunked and
unchunked layouts, JSON and CDR log channels and diagnostics, so mutations start deep.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import struct
from pathlib import Path

from mcap.writer import CompressionType, Writer

from argus.loggen import FAULTS, Fault, generate_drive_log

MAX_SEED_BYTES = 1 << 20


def _cdr_log(level: int, node: str, msg: str) -> bytes:
    body = bytearray(struct.pack("<iIB", 1, 2, level))
    for text in (node, msg, "file.cpp", "fn"):
        body.extend(b"\0" * (-len(body) % 4))
        raw = text.encode() + b"\0"
        body.extend(struct.pack("<I", len(raw)) + raw)
    body.extend(b"\0" * (-len(body) % 4) + struct.pack("<I", 7))
    return b"\x00\x01\x00\x00" + bytes(body)


def _log_channels(compression: CompressionType, chunked: bool) -> bytes:
    out = io.BytesIO()
    writer = Writer(out, compression=compression, use_chunking=chunked, chunk_size=2048)
    writer.start("ros2", "seed")
    ros = writer.register_schema("rcl_interfaces/msg/Log", "ros2msg", b"")
    fox = writer.register_schema("foxglove.Log", "jsonschema", b"")
    cdr = writer.register_channel("/rosout", "cdr", ros)
    js = writer.register_channel("/rosout_json", "json", ros)
    fx = writer.register_channel("/foxglove", "json", fox)
    odd = writer.register_channel("/odd", "wrong_format", 0)
    for t in range(12):
        writer.add_message(cdr, t, _cdr_log(10 * (1 + t % 5), "node", f"cdr {t}"), t)
        line = {"level": 10 * (1 + t % 5), "name": "n", "msg": f"json \u00e9 {t}"}
        writer.add_message(js, t, json.dumps(line).encode(), t)
        writer.add_message(fx, t, json.dumps({"level": 1 + t % 5, "message": "m"}).encode(), t)
        writer.add_message(odd, t, b"\x01\x02", t)
    writer.finish()  # type: ignore[no-untyped-call]
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--shared", type=Path, required=True)
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(args.shared.rglob("*.mcap")):
        target = out / f"shared-{path.parent.name}-{path.name}"
        if path.stat().st_size <= MAX_SEED_BYTES and not target.exists():
            shutil.copyfile(path, target)
    for compression in ("none", "lz4", "zstd"):
        for seed, fault in enumerate(sorted(FAULTS)):
            target = out / f"drive-{compression}-{seed}.mcap"
            if not target.exists():
                generate_drive_log(
                    target,
                    seed=seed,
                    duration_s=2.0 if compression == "none" else 3.0,
                    target_bytes=60_000,
                    faults=[Fault(fault, 0.5, 1.0)],
                    compression=compression,
                )
    layouts = {
        "logs-none-chunked": (CompressionType.NONE, True),
        "logs-unchunked": (CompressionType.NONE, False),
        "logs-lz4": (CompressionType.LZ4, True),
        "logs-zstd": (CompressionType.ZSTD, True),
    }
    for name, (kind, chunked) in layouts.items():
        target = out / f"{name}.mcap"
        if not target.exists():
            target.write_bytes(_log_channels(kind, chunked))
    print(f"{len(list(out.glob('*.mcap')))} seeds in {out}")


if __name__ == "__main__":
    main()
