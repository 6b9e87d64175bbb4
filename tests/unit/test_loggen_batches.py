"""The drive-log generator's batches and the gen-logs command."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from argus.cli import gen_logs_cmd
from argus.cli.gen_logs_cmd import parse_size
from argus.loggen import DEFAULT_START_NS, Fault, generate_batch
from tests.unit.loggen_support import PARSER, S, digest

pytestmark = pytest.mark.unit


def test_a_batch_is_one_recording_split_into_consecutive_files(tmp_path: Path) -> None:
    paths = generate_batch(
        tmp_path,
        vehicle_id="veh-007",
        files=3,
        seed=5,
        target_bytes_per_file=1_000_000,
        faults=[Fault("lidar-dropout", 18.0, 4.0)],
    )
    assert [p.name for p in paths] == [f"veh-007_2024_05_01-08_00_00_{i}.mcap" for i in range(3)]
    parsed = [PARSER.parse(p) for p in paths]
    for before, after in itertools.pairwise(parsed):
        assert before.end_ns is not None and after.start_ns is not None
        assert 0 < after.start_ns - before.end_ns < S // 10
    # The dropout spans the split between the first and the second file.
    last_before = parsed[0].topics["/lidar/points"].last_ns
    first_after = parsed[1].topics["/lidar/points"].first_ns
    assert last_before is not None and last_before < DEFAULT_START_NS + 18 * S
    assert first_after is not None and first_after >= DEFAULT_START_NS + 22 * S
    assert [bool(p.log_events) for p in parsed] == [True, True, False]
    assert len({digest(p) for p in paths}) == 3


def _cli() -> typer.Typer:
    app = typer.Typer()
    gen_logs_cmd.register(app)

    @app.command("noop")
    def noop() -> None:
        """Keeps typer from collapsing a one-command app into that command."""

    return app


def test_gen_logs_command_writes_and_prints_the_files(tmp_path: Path) -> None:
    args = [
        "gen-logs",
        "--out",
        str(tmp_path),
        "--vehicle",
        "veh-042",
        "--files",
        "2",
        "--size",
        "1MB",
        "--seed",
        "3",
        "--fault",
        "camera-dropout@25+3",
        "--compression",
        "lz4",
    ]
    result = CliRunner().invoke(_cli(), args)
    assert result.exit_code == 0, result.output
    paths = [Path(line) for line in result.output.split()]
    assert [p.name for p in paths] == [
        "veh-042_2024_05_01-08_00_00_0.mcap",
        "veh-042_2024_05_01-08_00_00_1.mcap",
    ]
    second = PARSER.parse(paths[1])
    assert {e.node for e in second.log_events} == {"camera_driver"}


@pytest.mark.parametrize(
    "args",
    [
        ["--fault", "bogus"],
        ["--size", "lots"],
        ["--files", "0"],
        ["--compression", "gzip"],
        ["--fault", "lidar-dropout@900"],
    ],
)
def test_gen_logs_command_rejects_bad_options(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(
        _cli(), ["gen-logs", "--out", str(tmp_path), "--size", "1MB", *args]
    )
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("50MB", 50_000_000),
        ("1.5GB", 1_500_000_000),
        ("512KiB", 524_288),
        ("2MiB", 2_097_152),
        ("1000000", 1_000_000),
        ("20 mb", 20_000_000),
        ("3G", 3_000_000_000),
        ("100B", 100),
    ],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size
