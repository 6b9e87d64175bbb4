"""bench/compare.py's arithmetic and its same-work check, on made-up results (no timing)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from compare import counts_differ, parse_rows, rotated

pytestmark = pytest.mark.unit

ARGUS = {"messages": 100, "bytes": 4_000, "seconds": 1.0}


def test_a_parser_that_read_other_messages_or_bytes_than_argus_is_a_mismatch() -> None:
    assert counts_differ("rust mcap", {**ARGUS, "seconds": 2.0}, ARGUS) is None
    fewer = counts_differ("go mcap", {"messages": 99, "bytes": 4_000, "seconds": 1.0}, ARGUS)
    assert fewer is not None and "MISMATCH go mcap" in fewer and "99 messages" in fewer
    other_bytes = counts_differ("python mcap", {"messages": 100, "bytes": 3, "seconds": 1}, ARGUS)
    assert other_bytes is not None and "3 bytes" in other_bytes


def test_byte_level_floors_count_nothing_and_are_never_a_mismatch() -> None:
    assert counts_differ("cat", {"messages": None, "bytes": None, "seconds": 0.1}, ARGUS) is None


def test_ratios_are_argus_throughput_over_the_peers_from_best_rounds_and_medians(
    tmp_path: Path,
) -> None:
    log = tmp_path / "drive.mcap"
    log.write_bytes(b"x" * 2_000_000)
    label = "parse a 2 MB zstd drive log"
    runs = {
        (label, "argus"): [{**ARGUS, "seconds": s} for s in (3.0, 1.0, 2.0)],
        (label, "foxglove C++"): [{**ARGUS, "seconds": s} for s in (9.0, 2.0, 4.0)],
        (label, "cat"): [{"messages": None, "bytes": None, "seconds": s} for s in (0.5, 0.5)],
    }
    rows = parse_rows([(label, log, "zstd")], runs)
    assert [row[2] for row in rows] == ["foxglove C++", "cat"]
    # Argus: min 1 s, median 2 s → 2 MB/s at the median; foxglove min 2 s, median 4 s.
    assert rows[0][1] == "1 MB/s" and rows[0][3] == "0 MB/s"
    assert rows[0][4] == "2.00 / 2.00"
    assert rows[1][1] == "" and rows[1][4] == "0.50 / 0.25"


def test_each_contender_leads_one_round_in_turn_and_none_is_left_out() -> None:
    names = ["argus", "foxglove C++", "cat"]
    orders = [rotated(names, n) for n in range(4)]
    assert [order[0] for order in orders] == ["argus", "foxglove C++", "cat", "argus"]
    assert all(sorted(order) == sorted(names) for order in orders)
