"""The byte bound never undercounts a byte-level BPE; an exact counter fits more evidence."""

from __future__ import annotations

import math

import pytest

from argus.application.diagnosis.tokens import ByteBoundCounter
from argus.infrastructure.llm import TiktokenCounter
from tests.unit.test_evidence import prompt_for

pytestmark = pytest.mark.unit

TEXTS = [
    "[sensor_dropout-8af2fdc7483c] 00:00:30.0-00:00:35.0 lidar: /lidar/points silent 6.0 s",
    "x0.5 1.2 3.4",
    "température élevée: 93 °C — 温度过高 🔥",
    "<|endoftext|> is plain text here",
    "}{][)(" * 20,
]


@pytest.mark.parametrize("encoding", ["cl100k_base", "o200k_base"])
@pytest.mark.parametrize("text", TEXTS)
def test_the_byte_bound_is_never_below_the_exact_count(encoding: str, text: str) -> None:
    assert TiktokenCounter(encoding).count(text) <= ByteBoundCounter().count(text)


def test_half_the_bytes_is_not_a_bound_for_numbers() -> None:
    # Why the default counts one token per byte, not per two: digits split in small groups.
    text = "x0.5 1.2 3.4"
    assert TiktokenCounter("cl100k_base").count(text) > math.ceil(len(text.encode()) / 2)


def test_an_exact_counter_fits_more_evidence_in_the_same_budget() -> None:
    by_bytes, _ = prompt_for(500)
    exact, counted = prompt_for(500, TiktokenCounter("o200k_base"))
    assert exact.tokens == counted <= 3000
    assert len(exact.evidence) > 2 * len(by_bytes.evidence)
