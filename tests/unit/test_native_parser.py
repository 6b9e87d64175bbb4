"""The native (C++) parser: the reference's summary for every real and generated file.

Hostile inputs, mutations and JSON edge cases are in tests/native/test_hostile_inputs.py.
"""

from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from argus.domain.parsed_file import ParsedFile
from argus.infrastructure.parsing import PythonMcapParser
from argus.infrastructure.parsing.native import (
    NativeMcapParser,
    default_threads,
    native_available,
)
from argus.loggen import FAULTS, Fault, generate_batch, generate_drive_log, parse_fault
from tests.native.builders import assert_same, comparable, validate

pytestmark = [
    pytest.mark.unit,
    pytest.mark.skipif(not native_available(), reason="argus._native is not built"),
]

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "mcap"
REAL_FILES = sorted(SHARED_DATA.glob("ros2/*.mcap")) + sorted(
    SHARED_DATA.glob("conformance/data/*/*.mcap")
)
REFERENCE = PythonMcapParser()
CUTS = [0, 1, 8, 9, 100, 0.05, 0.2, 0.33, 0.5, 0.75, 0.9, 0.99, -17, -8, -1]


def native(threads: int = 4) -> NativeMcapParser:
    """Chunks decompressed on four threads unless asked otherwise, whatever the machine."""
    return NativeMcapParser(threads=threads)


def _generated_specs() -> dict[str, dict[str, Any]]:
    """Generated logs: several seeds, sizes and compressions, and every fault."""
    specs: dict[str, dict[str, Any]] = {}
    for seed in (1, 2, 3):
        for compression in ("zstd", "lz4", "none"):
            specs[f"seed{seed}-{compression}"] = {
                "seed": seed,
                "target_bytes": 400_000,
                "compression": compression,
            }
    for index, name in enumerate(sorted(FAULTS)):
        specs[f"fault-{name}"] = {
            "seed": 10 + index,
            "target_bytes": 700_000,
            "compression": ("zstd", "lz4", "none")[index % 3],
            "faults": [parse_fault(f"{name}@4+6")],
        }
    specs["all-faults-large"] = {
        "seed": 20,
        "target_bytes": 4_000_000,
        "faults": [Fault(name) for name in FAULTS],
    }
    specs["long-small-payloads"] = {"seed": 21, "duration_s": 120.0, "target_bytes": 600_000}
    return specs


GENERATED = _generated_specs()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("native-logs")
    return {
        name: generate_drive_log(out / f"{name}.mcap", **spec) for name, spec in GENERATED.items()
    }


def test_native_parser_reports_its_engine() -> None:
    parsed = native().parse(SHARED_DATA / "ros2" / "talker.mcap")
    assert isinstance(parsed, ParsedFile)
    assert (native().engine, parsed.engine, parsed.to_dict()["engine"]) == ("native",) * 3


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_file_summary_equals_the_reference(path: Path) -> None:
    expected = REFERENCE.parse(path).to_dict()
    for threads in (1, 4):
        actual = validate(native(threads).parse(path).to_dict())
        assert comparable({**actual, "engine": "python"}) == comparable(expected)


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_log_summary_equals_the_reference(name: str, generated: dict[str, Path]) -> None:
    path = generated[name]
    expected = REFERENCE.parse(path).to_dict()
    from_path = validate(native().parse(path).to_dict())
    with open(path, "rb") as stream:
        from_stream = native().parse(stream).to_dict()
    assert comparable({**from_path, "engine": "python"}) == comparable(expected)
    assert from_stream == from_path
    assert native(threads=1).parse(path).to_dict() == from_path
    assert expected["message_count"] > 0 and expected["complete"]


def test_split_batch_parts_equal_the_reference(tmp_path: Path) -> None:
    faults = [Fault("camera-dropout", 25.0, 10.0), Fault("diag-error")]
    for part in generate_batch(
        tmp_path, files=3, seed=5, target_bytes_per_file=300_000, faults=faults
    ):
        assert_same(part.read_bytes())


@pytest.mark.parametrize("name", ["seed1-zstd", "seed2-lz4", "seed3-none", "fault-error-burst"])
@pytest.mark.parametrize("cut", CUTS)
def test_truncated_generated_log_equals_the_reference(
    name: str, cut: float, generated: dict[str, Path]
) -> None:
    data = generated[name].read_bytes()
    size = round(cut * len(data)) if isinstance(cut, float) else cut % len(data)
    summary = assert_same(data[:size])
    assert not summary["complete"] and summary["errors"][-1]["kind"] == "truncated"


@pytest.mark.parametrize("name", ["seed1-zstd", "seed2-lz4", "seed3-none"])
def test_flipped_bytes_everywhere_equal_the_reference(
    name: str, generated: dict[str, Path]
) -> None:
    data = generated[name].read_bytes()
    for position in range(0, len(data), max(1, len(data) // 60)):
        flipped = bytearray(data)
        flipped[position] ^= 0x5A
        assert_same(bytes(flipped))


class _PipeLike:
    """A non-seekable stream that returns short reads, like a socket or a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        size = min(size, 4093) if size >= 0 else 4093
        piece = bytes(self._data[self._pos : self._pos + size])
        self._pos += len(piece)
        return piece


def test_short_reads_and_any_piece_size_give_the_same_summary(generated: dict[str, Path]) -> None:
    from argus import _native

    data = generated["fault-lidar-dropout"].read_bytes()
    whole = native().parse(generated["fault-lidar-dropout"]).to_dict()
    assert native().parse(_PipeLike(data)).to_dict() == whole  # type: ignore[arg-type]
    for piece in (1, 7, 65536):
        parser = _native.Parser()
        view = memoryview(data)
        for start in range(0, len(data), piece if piece > 1 else 1):
            parser.feed(
                view[start : start + piece] if piece > 1 else bytearray(view[start : start + 1])
            )
            if piece == 1 and start > 20_000:
                break
        result = parser.finish()
        if piece > 1:
            assert {**result, "engine": "native"} == whole


def test_reading_stops_once_the_file_is_done() -> None:
    from argus import _native

    data = (SHARED_DATA / "ros2" / "talker.mcap").read_bytes()
    parser = _native.Parser()
    parser.feed(data + b"trailing bytes the reader never needs")
    assert parser.done
    parser.feed(b"ignored")
    assert parser.finish()["complete"]


def test_memory_stays_bounded_by_one_chunk_while_streaming(generated: dict[str, Path]) -> None:
    from argus import _native

    data = generated["all-faults-large"].read_bytes()
    parser = _native.Parser()
    peak = 0
    for start in range(0, len(data), 1 << 16):
        parser.feed(data[start : start + (1 << 16)])
        peak = max(peak, parser.buffered_capacity)
    assert parser.finish()["complete"]
    # One compressed chunk waiting in the input, one decompressed chunk, one piece.
    assert peak < 3 * 1024 * 1024, peak


def test_memory_stays_bounded_by_the_queued_chunks_when_decompressing_ahead(
    generated: dict[str, Path],
) -> None:
    from argus import _native

    data = generated["all-faults-large"].read_bytes()
    threads = 4
    parser = _native.Parser(threads=threads)
    peak = 0
    for start in range(0, len(data), 1 << 16):
        parser.feed(data[start : start + (1 << 16)])
        peak = max(peak, parser.buffered_capacity)
    assert parser.finish() == {**native(1).parse(io.BytesIO(data)).to_dict(), "engine": "native"}
    # At most threads + 1 chunks queued, each a compressed copy plus its output (~1 MiB here).
    assert peak < (threads + 1) * 2 * 1024 * 1024 + 3 * 1024 * 1024, peak


def test_thread_count_defaults_to_the_usable_cores() -> None:
    cores = len(os.sched_getaffinity(0))
    assert default_threads() == min(cores, 8)
    assert NativeMcapParser().threads == default_threads()
    assert NativeMcapParser(threads=1).threads == 1
    for wrong in (0, 65):
        with pytest.raises(ValueError, match=r"threads must be within 1\.\.64"):
            NativeMcapParser(threads=wrong)


def test_threads_parse_in_parallel_with_the_gil_released(generated: dict[str, Path]) -> None:
    path = generated["all-faults-large"]
    expected = native().parse(path).to_dict()
    results: list[dict[str, Any]] = []
    ticks = 0

    def work() -> None:
        for _ in range(3):
            results.append(native().parse(path).to_dict())

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        ticks += 1  # runs only while the parsing threads do not hold the GIL
        time.sleep(0)
    for thread in threads:
        thread.join()
    assert results == [expected] * 6
    assert ticks > 10


def test_summary_round_trips_through_the_json_form(generated: dict[str, Path]) -> None:
    data = generated["fault-camera-dropout"].read_bytes()[:-1000]
    parsed = native().parse(io.BytesIO(data))
    assert parsed.log_events or parsed.diagnostic_events
    assert ParsedFile.from_dict(parsed.to_dict()).to_dict() == parsed.to_dict()
    assert comparable(parsed.to_dict()) == comparable(
        {**REFERENCE.parse(io.BytesIO(data)).to_dict(), "engine": "native"}
    )
