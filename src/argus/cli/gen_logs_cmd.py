"""`argus gen-logs`: write sample ROS 2 drive logs with injected faults."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from argus.loggen import FAULTS

_SIZE_RE = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[kKmMgG]i?[bB]?|[bB])?\s*$")
_UNITS = {"": 1, "B": 1, "K": 10**3, "M": 10**6, "G": 10**9}
_BINARY_UNITS = {"K": 2**10, "M": 2**20, "G": 2**30}


class Compression(StrEnum):
    zstd = "zstd"
    lz4 = "lz4"
    none = "none"


def parse_size(text: str) -> int:
    """Bytes in `50MB`, `1.5GB`, `512KiB` or `1000000` (KB/MB/GB decimal, KiB/MiB/GiB binary)."""
    match = _SIZE_RE.match(text)
    if match is None:
        raise ValueError(f"bad size {text!r}: expected e.g. 50MB, 2GB, 512KiB or a byte count")
    unit = (match["unit"] or "").upper()
    prefix = unit[:1] if unit not in ("", "B") else unit
    factor = _BINARY_UNITS[prefix] if "I" in unit else _UNITS[prefix]
    return round(float(match["number"]) * factor)


def register(app: typer.Typer) -> None:
    """Add the `gen-logs` command to `app`."""

    @app.command("gen-logs")
    def gen_logs(
        out: Annotated[Path, typer.Option(help="Directory to write the .mcap files to.")],
        vehicle: Annotated[str, typer.Option(help="Vehicle id, used in file names.")] = "veh-001",
        files: Annotated[int, typer.Option(min=1, help="Consecutive files to write.")] = 1,
        size: Annotated[str, typer.Option(help="Approximate size of each file.")] = "50MB",
        seed: Annotated[int, typer.Option(help="Same seed and options, same bytes.")] = 0,
        fault: Annotated[
            list[str] | None,
            typer.Option(
                help="NAME[@START_S[+DURATION_S]], seconds from the first file's start; "
                f"repeatable. Names: {', '.join(FAULTS)}."
            ),
        ] = None,
        compression: Annotated[
            Compression, typer.Option(help="Chunk compression.")
        ] = Compression.zstd,
    ) -> None:
        """Generate realistic ROS 2 drive logs (MCAP) and print the paths written."""
        from argus.loggen import generate_batch, parse_fault

        try:
            target_bytes = parse_size(size)
            faults = [parse_fault(text) for text in fault or []]
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        try:
            paths = generate_batch(
                out,
                vehicle_id=vehicle,
                files=files,
                seed=seed,
                target_bytes_per_file=target_bytes,
                faults=faults,
                compression=compression.value,
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        for path in paths:
            typer.echo(str(path))
