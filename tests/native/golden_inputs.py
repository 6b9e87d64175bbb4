"""Inputs of the golden corpus: small files built byte by byte (tests/native/builders.py).

The expected summary of each is checked in as tests/native/golden/<name>.json. Those files were
written from what these builders put in the file (times, payload sizes, offsets), not from the
output of either engine; docs/schemas/parsed-file.md is the rule book for both.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.native.builders import (
    MAGIC,
    cdr_diagnostics,
    cdr_log,
    channel,
    chunk,
    header,
    mcap,
    message,
    record,
    schema,
)

# Where the first record after header() starts: magic (8) + Header record (9 + 4+4 + 4+4).
AFTER_HEADER = 33

JSON_LOGS = [
    (10, b'{"level": 40, "name": "planner", "msg": "no path"}'),
    (20, b'{"level": 20, "name": "n", "msg": "ok"}'),
    (30, b'{"level": "FATAL", "name": "\\u00e9", "msg": "\\ud800x"}'),
    (40, b'{"level": 45}'),
    (50, b'{"level": 40, "msg": 7}'),
    (60, b"[" * 65),
    (70, b'{"level": 40'),
]
CDR_LOGS = [(100, cdr_log(40, "lidar", "no packets")), (160, cdr_log(10, "lidar", "tick"))]
DIAGNOSTICS = [(130, cdr_diagnostics(1, level=2)), (150, cdr_diagnostics(1, level=0))]


def _two_topics() -> bytes:
    return mcap(
        header(),
        schema(1, "std_msgs/msg/String"),
        channel(1, 1, "/a"),
        channel(2, 0, "/b", "protobuf"),
        message(1, 100, b"xx"),
        message(1, 300, b"yyy"),
        message(2, 200, b""),
        message(1, 250, b"z"),
    )


def _json_logs() -> bytes:
    head = schema(1, "rcl_interfaces/msg/Log") + channel(1, 1, "/rosout", "json")
    return mcap(header(), chunk(head + b"".join(message(1, t, p) for t, p in JSON_LOGS), "zstd"))


def _cdr_logs_and_diagnostics() -> bytes:
    head = (
        schema(1, "rcl_interfaces/msg/Log")
        + schema(2, "diagnostic_msgs/msg/DiagnosticArray")
        + channel(1, 1, "/rosout")
        + channel(2, 2, "/diagnostics")
    )
    logs = b"".join(message(1, t, p) for t, p in CDR_LOGS)
    diagnostics = b"".join(message(2, t, p) for t, p in DIAGNOSTICS)
    return mcap(header(), chunk(head + logs, "lz4"), chunk(diagnostics))


INPUTS: dict[str, Callable[[], bytes]] = {
    "two-topics-unchunked": _two_topics,
    "json-logs-in-a-zstd-chunk": _json_logs,
    "cdr-logs-and-diagnostics-in-two-chunks": _cdr_logs_and_diagnostics,
    "truncated-inside-a-chunk": lambda: _json_logs()[: AFTER_HEADER + 20],
    "bad-crc": lambda: mcap(header(), chunk(schema(1, "s"), crc=1)),
    "unknown-channel": lambda: mcap(header(), message(3, 1, b"")),
    "record-too-large": lambda: MAGIC + record(0x01, b"", 2**30 + 1),
    "bad-magic": lambda: b"NOTMCAP!" + bytes(40),
    "unsupported-encoding": lambda: mcap(
        header(), schema(1, "x"), channel(1, 1, "/t", "wrong"), message(1, 5, b"abc")
    ),
    "cut-between-records": lambda: MAGIC + header(),
}
