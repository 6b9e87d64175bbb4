"""Type stub of the compiled C++ MCAP reader (native/src/module.cpp); private to argus."""

from typing import Any

from typing_extensions import Buffer

# The contract's numbers (native/src/limits.hpp); equal to argus.domain.parse_limits.LIMITS.
LIMITS: dict[str, int]
# Error kind names in the order of native/src/errors.hpp (ErrorKind of domain/parsed_file.py).
ERROR_KINDS: tuple[str, ...]

class Parser:
    """A streaming reader fed with pieces of one MCAP file, in order."""

    def __init__(
        self,
        *,
        max_overrun_bytes: int = 67108864,
        threads: int = 1,
        threads_from_bytes: int = 4194304,
    ) -> None: ...
    def feed(self, data: Buffer) -> None:
        """Read as far as the bytes so far allow (GIL released); ignored once `done`."""
    def finish(self) -> dict[str, Any]:
        """End of data: the ParsedFile dict (as ParsedFile.to_dict(), engine "native")."""
    @property
    def done(self) -> bool:
        """True once no more bytes are needed (trailing magic read, or reading stopped)."""
    @property
    def bytes_received(self) -> int: ...
    @property
    def buffered_capacity(self) -> int:
        """Bytes the reader holds in buffers now: input plus the chunks being decompressed."""

def parse_fd(
    fd: int,
    *,
    max_overrun_bytes: int = 67108864,
    read_size: int = 4194304,
    threads: int = 1,
    threads_from_bytes: int = 4194304,
    map_from_bytes: int = 1048576,
) -> dict[str, Any]:
    """Read an open file descriptor to its end (GIL released) into a ParsedFile dict."""

def crc32(data: bytes, crc: int = 0) -> int:
    """zlib.crc32, computed by the core's CRC routine."""
