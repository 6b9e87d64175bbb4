"""The reference MCAP parser: one streaming pass in file order, memory bounded by one chunk.

It is the oracle for faster engines, so every rule is simple and written down in
docs/schemas/parsed-file.md; reading stops at the first truncated or corrupt record.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from typing import IO, BinaryIO, cast

import lz4.frame
import zstandard
from mcap import records
from mcap.data_stream import ReadDataStream
from mcap.exceptions import McapError, RecordLengthLimitExceeded
from mcap.opcode import Opcode
from mcap.records import Channel, Chunk, Footer, McapRecord, Message, Schema
from mcap.stream_reader import StreamReader

from argus.domain.parse_limits import MAX_RECORD_BYTES
from argus.domain.parsed_file import ErrorKind, ParsedFile
from argus.infrastructure.parsing._summary import Fatal, SummaryBuilder

MAGIC = b"\x89MCAP0\r\n"
_READ_PIECE = 16 << 20
_RECORD_HEADER = struct.Struct("<BQ")
_MESSAGE_PREFIX = struct.Struct("<HIQQ")
_RECORD_ERRORS = (McapError, ValueError, struct.error)
# Record class -> opcode, to know when StreamReader yielded the record whose header we kept.
_OPCODES: dict[type[McapRecord], int] = {
    getattr(records, "".join(w.capitalize() for w in op.name.split("_"))): op for op in Opcode
}


class _EndOfData(Exception):
    pass


def _record_name(opcode: int | None) -> str | None:
    if opcode is None:
        return None
    try:
        return "".join(word.capitalize() for word in Opcode(opcode).name.split("_"))
    except ValueError:
        return f"Opcode0x{opcode:02x}"


class _CountingReader:
    """`read(n)` gives exactly n bytes or raises; counts bytes and keeps each record's header."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.pos = 0
        self._header = bytearray()

    def start_record(self) -> None:
        self._header.clear()

    @property
    def opcode(self) -> int | None:
        return self._header[0] if self._header else None

    @property
    def length(self) -> int | None:
        return _RECORD_HEADER.unpack(self._header)[1] if len(self._header) == 9 else None

    def read(self, size: int) -> bytes:
        if size < 0:
            raise ValueError(f"negative field length {size}")
        parts = []
        remaining = size
        while remaining > 0:
            # Bounded pieces: a corrupt length costs only as much memory as the file has bytes.
            piece = self._raw.read(min(remaining, _READ_PIECE))
            if not piece:
                raise _EndOfData
            parts.append(piece)
            remaining -= len(piece)
            self.pos += len(piece)
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        if len(self._header) < 9:
            self._header += data[: 9 - len(self._header)]
        return data


class PythonMcapParser:
    """Summarises an MCAP file with `mcap.stream_reader.StreamReader`; never raises on bad data."""

    engine = "python"

    def parse(self, source: str | os.PathLike[str] | BinaryIO) -> ParsedFile:
        """Read `source` (a path or a readable binary stream, seekable or not) into a summary."""
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as stream:
                return self._parse_stream(stream)
        return self._parse_stream(source)

    def _parse_stream(self, stream: IO[bytes]) -> ParsedFile:
        summary = SummaryBuilder(self.engine)
        try:
            _read_file(_CountingReader(stream), summary)
        except Fatal as fatal:
            summary.fail(fatal)
        return summary.result()


def _read_magic(reader: _CountingReader, where: str) -> None:
    start = reader.pos
    try:
        magic = reader.read(len(MAGIC))
    except _EndOfData:
        message = f"file ends at byte {reader.pos} inside the {where} magic"
        raise Fatal(ErrorKind.TRUNCATED, message, start, "Magic") from None
    if magic != MAGIC:
        raise Fatal(ErrorKind.BAD_MAGIC, f"bad {where} magic", start, "Magic")


def _read_file(reader: _CountingReader, summary: SummaryBuilder) -> None:
    _read_magic(reader, "leading")
    stream = cast(IO[bytes], reader)
    stream_records = StreamReader(
        stream, skip_magic=True, emit_chunks=True, record_size_limit=MAX_RECORD_BYTES
    ).records
    while True:
        start = reader.pos
        reader.start_record()
        try:
            record = next(stream_records)
        except StopIteration:
            return  # StreamReader stops only after a Footer, which returns below first
        except _EndOfData:
            name = _record_name(reader.opcode)
            where = "before the Footer record" if name is None else f"inside a {name} record"
            message = f"file ends at byte {reader.pos} {where}"
            raise Fatal(ErrorKind.TRUNCATED, message, start, name) from None
        except _RECORD_ERRORS as exc:
            kind = (
                ErrorKind.RECORD_TOO_LARGE
                if isinstance(exc, RecordLengthLimitExceeded)
                else ErrorKind.MALFORMED_RECORD
            )
            raise Fatal(kind, str(exc), start, _record_name(reader.opcode)) from exc
        _check_framing(reader, start, record)
        if isinstance(record, Chunk):
            _read_chunk(record, start, summary)
        elif isinstance(record, Message):
            summary.message(record.channel_id, record.log_time, record.data, start)
        elif isinstance(record, Schema):
            summary.schema(record.id, record.name)
        elif isinstance(record, Channel):
            summary.channel(
                record.id, record.schema_id, record.topic, record.message_encoding, start
            )
        elif isinstance(record, Footer):
            _read_magic(reader, "trailing")
            return


def _check_framing(reader: _CountingReader, start: int, record: McapRecord) -> None:
    # StreamReader parses fields without bounding them by the record length; catch overruns.
    length = reader.length
    if reader.opcode != _OPCODES.get(type(record)) or length is None:
        return  # unknown records skipped by StreamReader come first; nothing to compare
    if reader.pos - start != 9 + length:
        name = _record_name(reader.opcode)
        message = f"{name} fields run past its length {length}"
        raise Fatal(ErrorKind.MALFORMED_RECORD, message, start, name)


def _decompress(chunk: Chunk, offset: int) -> bytes:
    if chunk.uncompressed_size > MAX_RECORD_BYTES:
        message = f"chunk claims {chunk.uncompressed_size} uncompressed bytes"
        raise Fatal(ErrorKind.RECORD_TOO_LARGE, message, offset, "Chunk")
    try:
        if chunk.compression == "":
            data = chunk.data
        elif chunk.compression == "zstd":
            decompressor = zstandard.ZstdDecompressor()
            data = decompressor.decompress(chunk.data, max_output_size=chunk.uncompressed_size)
        elif chunk.compression == "lz4":
            data = lz4.frame.decompress(chunk.data)
        else:
            message = f"unknown chunk compression {chunk.compression!r}"
            raise Fatal(ErrorKind.UNKNOWN_COMPRESSION, message, offset, "Chunk")
    except (zstandard.ZstdError, RuntimeError, ValueError) as exc:
        message = f"chunk does not decompress: {exc}"
        raise Fatal(ErrorKind.DECOMPRESSION_FAILED, message, offset, "Chunk") from exc
    if len(data) != chunk.uncompressed_size:
        raise Fatal(
            ErrorKind.DECOMPRESSION_FAILED,
            f"chunk decompresses to {len(data)} bytes, not {chunk.uncompressed_size}",
            offset,
            "Chunk",
        )
    if chunk.uncompressed_crc != 0 and zlib.crc32(data) != chunk.uncompressed_crc:
        raise Fatal(ErrorKind.BAD_CRC, "chunk CRC mismatch", offset, "Chunk")
    return bytes(data)


def _parse_inner(body: bytes, opcode: int, offset: int) -> Schema | Channel:
    inner = _CountingReader(io.BytesIO(body))
    try:
        stream = ReadDataStream(cast(IO[bytes], inner))
        record: Schema | Channel = (Schema if opcode == Opcode.SCHEMA else Channel).read(stream)
    except (_EndOfData, *_RECORD_ERRORS) as exc:
        message = f"bad {_record_name(opcode)} record inside chunk: {exc!r}"
        raise Fatal(ErrorKind.MALFORMED_RECORD, message, offset, "Chunk") from exc
    return record


def _read_chunk(chunk: Chunk, offset: int, summary: SummaryBuilder) -> None:
    data = _decompress(chunk, offset)
    view = memoryview(data)
    pos, end = 0, len(data)
    while pos < end:
        if end - pos < _RECORD_HEADER.size:
            message = f"chunk ends inside a record header at {pos}"
            raise Fatal(ErrorKind.MALFORMED_RECORD, message, offset, "Chunk")
        opcode, length = _RECORD_HEADER.unpack_from(data, pos)
        body, nxt = pos + _RECORD_HEADER.size, pos + _RECORD_HEADER.size + length
        if nxt > end:
            message = f"record at chunk byte {pos} overruns the chunk"
            raise Fatal(ErrorKind.MALFORMED_RECORD, message, offset, "Chunk")
        if opcode == Opcode.MESSAGE:
            if length < _MESSAGE_PREFIX.size:
                message = f"message at chunk byte {pos} is too short"
                raise Fatal(ErrorKind.MALFORMED_RECORD, message, offset, "Chunk")
            channel_id, _sequence, log_time, _publish = _MESSAGE_PREFIX.unpack_from(data, body)
            summary.message(channel_id, log_time, view[body + _MESSAGE_PREFIX.size : nxt], offset)
        elif opcode in (Opcode.SCHEMA, Opcode.CHANNEL):
            record = _parse_inner(data[body:nxt], opcode, offset)
            if isinstance(record, Schema):
                summary.schema(record.id, record.name)
            else:
                summary.channel(
                    record.id, record.schema_id, record.topic, record.message_encoding, offset
                )
        pos = nxt
