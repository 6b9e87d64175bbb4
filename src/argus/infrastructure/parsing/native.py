"""The native MCAP parser: the C++ core (`argus._native`) behind the parser contract.

Both engines implement the specification docs/schemas/parsed-file.md: for the same bytes they
return the same `ParsedFile` except for the engine name and the wording of error messages.
Parsing runs with the GIL released, so threads of one worker parse files in parallel, and one
file's chunks are decompressed on several threads (`threads`). A path of 1 MiB or more is mapped
and read in place, without copying its bytes (0032), and so is a regular file opened in binary
mode, as the local blob store hands it to the parser workers (0043). Design:
docs/decisions/0007-*.md, 0012-*.md, 0019-*.md, 0032-*.md and 0043-*.md.
"""

from __future__ import annotations

import io
import os
import stat
from types import ModuleType
from typing import BinaryIO

from argus.domain.parsed_file import ParsedFile

_FEED_BYTES = 1 << 20
_MAX_THREADS = 64  # as the core clamps it
_MAX_DEFAULT_THREADS = 8


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


def default_threads() -> int:
    """Chunk-decompressing threads per file: one per usable core (the reading thread counts:
    it decompresses too whenever it would wait). Capped: past a few threads a single file's
    records, read on one thread, become the limit."""
    return min(len(os.sched_getaffinity(0)), _MAX_DEFAULT_THREADS)


class NativeMcapParser:
    """Summarises an MCAP file with the C++ core; same contract as `PythonMcapParser`."""

    engine = "native"

    def __init__(
        self,
        *,
        max_overrun_bytes: int = 64 << 20,
        threads: int | None = None,
        threads_from_bytes: int | None = None,
    ) -> None:
        """`threads`: threads decompressing one file's chunks (1: all on the calling thread).

        `threads_from_bytes`: chunk bytes (compressed plus uncompressed) read on the calling
        thread before the others start; default: the core's (4 MiB), so a small file never
        starts a thread. 0 threads every chunk (tests of the threaded path use it)."""
        if _NATIVE is None:
            raise RuntimeError("argus._native is not built; use PythonMcapParser")
        if threads is not None and not 1 <= threads <= _MAX_THREADS:
            raise ValueError(f"threads must be within 1..{_MAX_THREADS}, not {threads}")
        self._native = _NATIVE
        self._max_overrun_bytes = max_overrun_bytes
        self.threads = default_threads() if threads is None else threads
        self._threads_from: dict[str, int] = (
            {} if threads_from_bytes is None else {"threads_from_bytes": threads_from_bytes}
        )

    def parse(self, source: str | os.PathLike[str] | BinaryIO) -> ParsedFile:
        """Read `source` (a path or a readable binary stream, seekable or not) into a summary."""
        options = {
            "max_overrun_bytes": self._max_overrun_bytes,
            "threads": self.threads,
            **self._threads_from,
        }
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as stream:
                data = self._native.parse_fd(stream.fileno(), **options)
        elif (fd := _regular_file_descriptor(source)) is not None:
            # From where the stream stands (its buffer may be ahead of the descriptor). The
            # core was given the rest of the file, so the stream is left at its end (which
            # also drops its buffer, stale once the descriptor has moved under it).
            os.lseek(fd, source.tell(), os.SEEK_SET)
            try:
                data = self._native.parse_fd(fd, **options)
            finally:
                source.seek(0, os.SEEK_END)
        else:
            parser = self._native.Parser(**options)
            # Stop reading once the parser needs no more bytes, as the reference does.
            while not parser.done and (piece := source.read(_FEED_BYTES)):
                parser.feed(piece)
            data = parser.finish()
        parsed = ParsedFile.from_dict(data)
        parsed.engine = self.engine
        return parsed


def _regular_file_descriptor(source: BinaryIO) -> int | None:
    """The descriptor of a regular file whose bytes `source` reads unchanged, or None.

    Only what `open(path, "rb")` returns qualifies (exactly a `BufferedReader` over a `FileIO`,
    or a `FileIO`): a wrapper such as `gzip.GzipFile` also answers `fileno()`, with the
    descriptor of the compressed bytes under it, and a subclass or another raw stream may read
    other bytes than the descriptor holds from where it stands."""
    raw = source.raw if type(source) is io.BufferedReader else source
    if type(raw) is not io.FileIO:
        return None
    try:
        fd = raw.fileno()
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
        return fd if regular and raw.readable() and raw.seekable() else None
    except (OSError, ValueError):  # closed
        return None


__all__ = ["NativeMcapParser", "default_threads", "native_available"]
