"""A parser worker hands the native parser an open file (the local blob store's reader), not a
path: a regular file opened in binary mode is read through its descriptor, mapped like a path,
while any other stream (a gzip wrapper whose fileno() is the compressed file's, a pipe) is fed
piece by piece. Either way the summary is the one of the bytes the stream reads."""

from __future__ import annotations

import gzip
import io
import os
import random
import threading
from pathlib import Path
from typing import Any

import pytest

from argus.infrastructure.parsing.native import NativeMcapParser, native_available
from tests.native.builders import channel, chunk, header, mcap, message, schema

pytestmark = pytest.mark.skipif(not native_available(), reason="argus._native is not built")


def _drive_log() -> bytes:
    """Over 1 MiB (so a path of it is mapped), lz4 chunks of slightly different sizes."""
    rng = random.Random(7)
    head = schema(1, "sensor_msgs/msg/Imu") + channel(1, 1, "/imu")
    chunks = []
    for c in range(12):
        payloads = (rng.randbytes(2_000 + c) for _ in range(64))
        body = b"".join(message(1, c * 64 + m, p) for m, p in enumerate(payloads))
        chunks.append(chunk((head if c == 0 else b"") + body, "lz4"))
    return mcap(header(), *chunks)


class _Spy:
    """The extension module with its calls to parse_fd counted."""

    def __init__(self, native: Any) -> None:
        self._native = native
        self.fd_parses = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._native, name)

    def parse_fd(self, fd: int, **options: Any) -> Any:
        self.fd_parses += 1
        return self._native.parse_fd(fd, **options)


def _spied_parser() -> tuple[NativeMcapParser, _Spy]:
    parser = NativeMcapParser(threads=2)
    spy = _Spy(parser._native)
    parser._native = spy
    return parser, spy


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    path = tmp_path / "drive.mcap"
    path.write_bytes(_drive_log())
    return path


@pytest.fixture
def behind_junk(log_path: Path, tmp_path: Path) -> Path:
    """The same log behind 10 bytes that are no MCAP: read from byte 10, it is the log."""
    path = tmp_path / "behind-junk.mcap"
    path.write_bytes(b"0123456789" + log_path.read_bytes())
    return path


def test_an_open_file_is_read_through_its_descriptor_with_the_summary_of_its_path(
    log_path: Path,
) -> None:
    parser, spy = _spied_parser()
    expected = parser.parse(log_path)
    with open(log_path, "rb") as stream:
        got = parser.parse(stream)
        assert stream.read() == b""  # left at its end: the core was given all of it
    assert spy.fd_parses == 2
    assert got.message_count == 12 * 64
    assert got == expected


def test_an_open_file_is_read_from_where_it_stands_not_from_its_descriptor(
    log_path: Path, behind_junk: Path
) -> None:
    parser, spy = _spied_parser()
    with open(behind_junk, "rb") as stream:
        stream.read(10)  # the buffered reader has read far more than 10 bytes from the file
        got = parser.parse(stream)
    assert spy.fd_parses == 1
    assert got.message_count == 12 * 64  # from byte 10, not from 0 nor from the buffer's end
    assert got == parser.parse(log_path)


class _ShiftedRaw(io.RawIOBase):
    """A raw stream over a file from byte `skip` on: its own bytes are not the descriptor's."""

    def __init__(self, path: Path, skip: int) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed with this stream
        self._skip = skip
        self._file.seek(skip)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            offset += self._skip
        return self._file.seek(offset, whence) - self._skip

    def tell(self) -> int:
        return self._file.tell() - self._skip

    def readinto(self, buffer: Any) -> int:
        return self._file.readinto(buffer)

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self._file.close()
        super().close()


def test_a_buffered_reader_over_another_raw_stream_is_fed_what_it_reads(
    log_path: Path, behind_junk: Path
) -> None:
    parser, spy = _spied_parser()
    with io.BufferedReader(_ShiftedRaw(behind_junk, 10)) as stream:
        got = parser.parse(stream)
    assert spy.fd_parses == 0
    assert got == parser.parse(log_path)


def test_a_gzip_stream_is_fed_its_decompressed_bytes_not_the_file_under_it(
    log_path: Path, tmp_path: Path
) -> None:
    packed = tmp_path / "drive.mcap.gz"
    packed.write_bytes(gzip.compress(log_path.read_bytes()))
    parser, spy = _spied_parser()
    with gzip.open(packed, "rb") as stream:
        assert isinstance(stream.fileno(), int)  # what made the shortcut wrong for it
        got = parser.parse(stream)
    assert spy.fd_parses == 0
    assert got.message_count == 12 * 64
    assert got == parser.parse(log_path)


def test_a_pipe_is_fed_piece_by_piece(log_path: Path) -> None:
    data = log_path.read_bytes()
    read_end, write_end = os.pipe()

    def write_all() -> None:
        with open(write_end, "wb") as sink:
            sink.write(data)

    writer = threading.Thread(target=write_all)
    writer.start()
    parser, spy = _spied_parser()
    with open(read_end, "rb") as stream:
        got = parser.parse(stream)
        stream.read()  # let the writer finish if the core stopped early
    writer.join()
    assert spy.fd_parses == 0
    assert got == parser.parse(log_path)
