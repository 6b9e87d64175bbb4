"""The HTTP process freezes what it made at start-up (decision 0037): a full collection while
serving then walks only what requests made. Counted in objects, never timed."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from argus.entrypoints.http import freeze_start_up_objects

pytestmark = pytest.mark.unit


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the other tests run with the collector as they found it


def test_start_up_objects_are_out_of_the_full_collections_reach(unfrozen: None) -> None:
    start_up = [{"made": n} for n in range(10_000)]  # stands for the app, settings, pools
    freeze_start_up_objects()
    assert gc.get_freeze_count() >= len(start_up)
    assert not any(obj is start_up for obj in gc.get_objects())  # no generation walks it
    made_later = [{"request": n} for n in range(100)]
    assert any(obj is made_later for obj in gc.get_objects())  # what requests make still is
