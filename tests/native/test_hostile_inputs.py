"""Hostile and damaged files: the native core never crashes and reports what the reference does."""

from __future__ import annotations

import json
import random
import struct
from collections.abc import Callable
from pathlib import Path

import lz4.frame
import pytest
import zstandard

from argus.domain.parsed_file import ErrorKind
from argus.infrastructure.parsing.native import native_available
from argus.loggen import Fault, generate_drive_log
from tests.native.builders import (
    MAGIC,
    assert_same,
    cdr_diagnostics,
    cdr_log,
    channel,
    chunk,
    header,
    json_log_file,
    log_file,
    mcap,
    message,
    record,
    schema,
)

pytestmark = [
    pytest.mark.unit,
    pytest.mark.skipif(not native_available(), reason="argus._native is not built"),
]

CONFORMANCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "mcap"
BOMB_BYTES = 50_000_000
STRING = ("std_msgs/msg/String", "cdr")
RECORDS = schema(1, "std_msgs/msg/String") + channel(1, 1, "/t") + message(1, 1, b"payload")


def _rosout(payload: bytes) -> bytes:
    return log_file("rcl_interfaces/msg/Log", "cdr", [payload], chunked=False)


def _truncated_drive_log() -> bytes:
    path = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path("/tmp")
    out = generate_drive_log(
        path / f"hostile-{random.random()}.mcap",
        seed=4,
        duration_s=3.0,
        target_bytes=80_000,
        compression="lz4",
    )
    data = out.read_bytes()
    out.unlink()
    return data[: len(data) * 2 // 3]


# name -> (bytes, expected (kind, record) of the last error, or None for a complete file)
CASES: dict[str, tuple[Callable[[], bytes], tuple[str, str | None] | None]] = {
    "empty": (lambda: b"", ("truncated", "Magic")),
    "bad-magic": (lambda: b"NOTMCAP!" + bytes(40), ("bad_magic", "Magic")),
    "truncated-drive-log": (_truncated_drive_log, ("truncated", "Chunk")),
    "cut-between-records": (lambda: MAGIC + header(), ("truncated", None)),
    "length-2^64-1": (lambda: MAGIC + record(0x01, b"", 2**64 - 1), ("record_too_large", "Header")),
    "length-2^30+1": (lambda: MAGIC + record(0x06, b"", 2**30 + 1), ("record_too_large", "Chunk")),
    "message-shorter-than-its-fields": (
        lambda: MAGIC + record(0x05, bytes(3), 3) + bytes(40),
        ("malformed_record", "Message"),
    ),
    "chunk-past-eof": (lambda: MAGIC + record(0x06, bytes(100), 1 << 20), ("truncated", "Chunk")),
    "record-past-chunk-end": (
        lambda: mcap(chunk(RECORDS[:-4] + struct.pack("<BQ", 5, 2**63))),
        ("malformed_record", "Chunk"),
    ),
    "chunk-ends-in-a-record-header": (
        lambda: mcap(chunk(RECORDS + b"\x05\x00")),
        ("malformed_record", "Chunk"),
    ),
    "bad-crc": (lambda: mcap(chunk(RECORDS, "zstd", crc=12345)), ("bad_crc", "Chunk")),
    "size-differs": (
        lambda: mcap(chunk(RECORDS, "lz4", size=len(RECORDS) + 1)),
        ("decompression_failed", "Chunk"),
    ),
    "claims-over-1-gib": (lambda: mcap(chunk(RECORDS, size=2**40)), ("record_too_large", "Chunk")),
    "unknown-compression": (
        lambda: mcap(chunk(RECORDS, "brotli")),
        ("unknown_compression", "Chunk"),
    ),
    "garbage-zstd": (
        lambda: mcap(chunk(RECORDS, "zstd", data=b"\x28\xb5\x2f\xfd" + bytes(30))),
        ("decompression_failed", "Chunk"),
    ),
    "garbage-lz4": (
        lambda: mcap(chunk(RECORDS, "lz4", data=b"not lz4 at all")),
        ("decompression_failed", "Chunk"),
    ),
    "zstd-bomb-declared": (
        lambda: mcap(
            chunk(RECORDS, "zstd", data=zstandard.ZstdCompressor().compress(bytes(BOMB_BYTES)))
        ),
        ("decompression_failed", "Chunk"),
    ),
    "zstd-bomb-undeclared": (
        lambda: mcap(
            chunk(
                RECORDS,
                "zstd",
                data=zstandard.ZstdCompressor(write_content_size=False).compress(bytes(BOMB_BYTES)),
            )
        ),
        ("decompression_failed", "Chunk"),
    ),
    "lz4-bomb": (
        lambda: mcap(chunk(RECORDS, "lz4", data=lz4.frame.compress(bytes(BOMB_BYTES)))),
        ("decompression_failed", "Chunk"),
    ),
    "bad-utf8-topic": (
        lambda: mcap(record(0x04, struct.pack("<HH", 1, 0) + b"\x02\x00\x00\x00\xc3(" + bytes(8))),
        ("malformed_record", "Channel"),
    ),
    "bad-utf8-in-chunked-schema": (
        lambda: mcap(chunk(record(0x03, b"\x01\x00\x01\x00\x00\x00\xff"))),
        ("malformed_record", "Chunk"),
    ),
    "unknown-schema": (lambda: mcap(channel(1, 7, "/t")), ("unknown_schema", "Channel")),
    "unknown-channel": (lambda: mcap(message(3, 1, b"")), ("unknown_channel", "Message")),
    "fields-past-record-length": (
        lambda: mcap(record(0x03, b"\x01\x00" + struct.pack("<I", 5) + b"abcde" + bytes(8), 4)),
        ("malformed_record", "Schema"),
    ),
    "unchecked-after-unknown-record": (
        lambda: mcap(
            record(0x99, b""), record(0x04, channel(1, 0, "/t")[9:], 4), message(1, 1, b"x")
        ),
        None,
    ),
    "unknown-opcodes-and-padding": (
        lambda: mcap(
            record(0x80, bytes(7)),
            header()[:1] + struct.pack("<Q", 40) + header()[9:] + bytes(24),
            record(0xFF, b""),
        ),
        None,
    ),
    "bad-trailing-magic": (
        lambda: mcap(header(), end=record(0x02, bytes(20)) + b"XXXXXXXX"),
        ("bad_magic", "Magic"),
    ),
    "missing-trailing-magic": (
        lambda: mcap(header(), end=record(0x02, bytes(20)) + MAGIC[:5]),
        ("truncated", "Magic"),
    ),
    "huge-cdr-string": (
        lambda: _rosout(cdr_log(40, "node", "m", node_length=0xFFFFFFF0)),
        ("bad_cdr", "Message"),
    ),
    "huge-cdr-sequence": (
        lambda: log_file(
            "diagnostic_msgs/msg/DiagnosticArray", "cdr", [cdr_diagnostics(2**31)], chunked=True
        ),
        ("bad_cdr", "Message"),
    ),
    "cdr-big-endian-bad-encapsulation": (
        lambda: _rosout(b"\x00\x07" + cdr_log(40, "n", "m")[2:]),
        ("bad_cdr", "Message"),
    ),
    "deep-json": (lambda: json_log_file(b"[" * 200_000), ("json_too_deep", "Message")),
    "deep-json-unchunked": (
        lambda: json_log_file(b'{"a":' * 50_000, chunked=False),
        ("json_too_deep", "Message"),
    ),
    "invalid-json": (lambda: json_log_file(b'{"level": 40, "name": "n"'), ("bad_json", "Message")),
    "json-bad-utf8": (
        lambda: json_log_file(b'{"level": 40, "msg": "\xff"}'),
        ("bad_json", "Message"),
    ),
    "json-bom": (lambda: json_log_file(b'\xef\xbb\xbf{"level": 40}'), ("bad_json", "Message")),
    # Past MAX_JSON_INT_DIGITS an integer is outside every level table: not counted, no error.
    "json-huge-int": (lambda: json_log_file(b'{"level": ' + b"9" * 5000 + b"}"), None),
    "json-nan-level": (lambda: json_log_file(b'{"level": NaN}'), ("bad_json", "Message")),
    "json-float-level": (lambda: json_log_file(b'{"level": 40.0}'), ("bad_log", "Message")),
    "json-not-an-object": (lambda: json_log_file(b"[40]"), ("bad_log", "Message")),
    "json-lone-surrogate": (
        lambda: json_log_file(b'{"level": 50, "msg": "\\udc00 \\ud83d\\ude00"}'),
        None,
    ),
    "json-control-char": (
        lambda: json_log_file(b'{"level": 4, "message": "a\x01"}', foxglove=True),
        ("bad_json", "Message"),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_gives_the_reference_summary(name: str) -> None:
    build, expected = CASES[name]
    summary = assert_same(build())
    if expected is None:
        assert summary["complete"], summary["errors"]
    else:
        last = summary["errors"][-1]
        assert (last["kind"], last["record"]) == expected
        assert summary["complete"] == (not ErrorKind(expected[0]).fatal)


@pytest.mark.parametrize("name", ["zstd-bomb-declared", "zstd-bomb-undeclared", "lz4-bomb"])
def test_decompression_bombs_cost_no_more_than_the_declared_size(name: str) -> None:
    from argus import _native

    parser = _native.Parser()
    parser.feed(CASES[name][0]())
    summary = parser.finish()
    assert summary["errors"][-1]["kind"] == "decompression_failed"
    assert parser.buffered_capacity < 4 << 20  # the file is tiny; 50 MB were never inflated


def _seeds(tmp_path: Path) -> list[bytes]:
    files = sorted((CONFORMANCE / "conformance" / "data").glob("*/*.mcap"))[::9]
    seeds = [p.read_bytes() for p in files]
    for compression in ("none", "lz4", "zstd"):
        path = generate_drive_log(
            tmp_path / f"{compression}.mcap",
            seed=6,
            duration_s=3.0,
            target_bytes=60_000,
            faults=[Fault("error-burst", 0.5, 1.5)],
            compression=compression,
        )
        seeds.append(path.read_bytes())
    lines = [json.dumps({"level": 40, "name": "n", "msg": f"m{i}"}).encode() for i in range(5)]
    seeds.append(log_file("rcl_interfaces/msg/Log", "json", lines, chunked=False))
    seeds.append(
        log_file("rcl_interfaces/msg/Log", "cdr", [cdr_log(40, "n", "m")] * 3, chunked=True)
    )
    return seeds


def _mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    kind = rng.randrange(6)
    at = rng.randrange(len(out)) if out else 0
    if kind == 0:
        del out[at:]
    elif kind == 1:
        for _ in range(rng.randrange(1, 4)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    elif kind == 2:
        value = rng.choice([2**64 - 1, 2**63, 2**32, 2**30 + 1, 2**30, 0, 1, 21, 22, 100])
        out[at : at + 8] = struct.pack("<Q", value)
    elif kind == 3:
        out[at : at + 4] = struct.pack("<I", rng.choice([2**32 - 1, 2**31, 0, 1, 5, 10**6]))
    elif kind == 4:
        opcode = rng.choice([0x42, 0x80, 0x10, 0xFF])
        out[at:at] = record(opcode, bytes(rng.randrange(20)))
    else:
        del out[at : at + rng.randrange(1, 50)]
    return bytes(out)


@pytest.mark.parametrize("seed", range(4))
def test_random_mutations_give_the_reference_summary(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    seeds = _seeds(tmp_path)
    for _ in range(150):
        assert_same(_mutate(rng.choice(seeds), rng))
