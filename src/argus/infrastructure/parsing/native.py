"""The native MCAP parser: the C++ core (`argus._native`) behind the reference's contract.

It returns the same `ParsedFile` as `PythonMcapParser` for the same bytes (docs/schemas/
parsed-file.md); the engine name is the only difference. Parsing runs with the GIL released,
so threads of one worker parse files in parallel. Design: docs/decisions/0007-*.md.
"""

from __future__ import annotations

import json
import os
import sys
from types import ModuleType
from typing import BinaryIO

from argus.domain.parsed_file import ParsedFile

_FEED_BYTES = 1 << 20
# Python frames between PythonMcapParser.parse and its json.loads call for a message inside a
# chunk (parse, _parse_stream, _read_file, _read_chunk, message, _decode, decode_json_log),
# minus the two of the probe below (parse -> _json_depth -> json.loads).
_REFERENCE_EXTRA_FRAMES = 5


def _load() -> ModuleType | None:
    try:
        from argus import _native
    except ImportError:
        return None
    return _native


_NATIVE = _load()


def native_available() -> bool:
    """True when the compiled extension `argus._native` can be imported."""
    return _NATIVE is not None


def _json_depth() -> int:
    """How deeply json.loads can nest here, so the core fails deep JSON where the reference does.

    The reference decodes JSON logs with json.loads, which raises RecursionError at a depth
    that depends on the interpreter's remaining recursion budget; the probe measures it.
    """
    lo, hi = 0, sys.getrecursionlimit()
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            json.loads("[" * mid + "]" * mid)
        except RecursionError:
            hi = mid - 1
        else:
            lo = mid
    return max(0, lo - _REFERENCE_EXTRA_FRAMES)


class NativeMcapParser:
    """Summarises an MCAP file with the C++ core; same contract as `PythonMcapParser`."""

    engine = "native"

    def __init__(self, *, max_overrun_bytes: int = 64 << 20) -> None:
        if _NATIVE is None:
            raise RuntimeError("argus._native is not built; use PythonMcapParser")
        self._native = _NATIVE
        self._max_overrun_bytes = max_overrun_bytes

    def parse(self, source: str | os.PathLike[str] | BinaryIO) -> ParsedFile:
        """Read `source` (a path or a readable binary stream, seekable or not) into a summary."""
        options = {
            "max_overrun_bytes": self._max_overrun_bytes,
            "json_max_depth": _json_depth(),
            "int_max_str_digits": sys.get_int_max_str_digits(),
        }
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as stream:
                data = self._native.parse_fd(stream.fileno(), **options)
        else:
            parser = self._native.Parser(**options)
            # Stop reading once the parser needs no more bytes, as the reference does.
            while not parser.done and (piece := source.read(_FEED_BYTES)):
                parser.feed(piece)
            data = parser.finish()
        parsed = ParsedFile.from_dict(data)
        parsed.engine = self.engine
        return parsed


__all__ = ["NativeMcapParser", "native_available"]
