"""The upload rules of a batch: same-name files, files and bytes per batch, open batches."""

from __future__ import annotations

import pytest

from argus.domain.errors import (
    BatchTooLarge,
    FileExists,
    InvalidInput,
    PreconditionFailed,
    TooManyFiles,
    TooManyOpenBatches,
)
from argus.domain.identifiers import has_control_characters, validate_event_id
from argus.domain.log_file import LogFile
from argus.domain.upload_policy import BatchLimits, UploadPolicy

pytestmark = pytest.mark.unit

STORED = LogFile(file_id="f1", name="a.mcap", size=60, sha256="ab" * 32, blob_key="k/f1")


def policy(*, replace: bool = False, if_match: str | None = None, **limits: int) -> UploadPolicy:
    return UploadPolicy.of_request(replace=replace, if_match=if_match, limits=BatchLimits(**limits))


def test_a_new_name_is_admitted_and_replaces_nothing() -> None:
    assert policy().admit([STORED], "b.mcap", 10) is None


def test_a_taken_name_is_a_conflict_unless_replacement_is_asked() -> None:
    with pytest.raises(FileExists):
        policy().admit([STORED], "a.mcap", 10)
    assert policy(replace=True).admit([STORED], "a.mcap", 10) is STORED


@pytest.mark.parametrize("tag", [f'"{"ab" * 32}"', "ab" * 32, f'"{"AB" * 32}"', "*"])
def test_if_match_on_the_stored_checksum_replaces(tag: str) -> None:
    assert policy(if_match=tag).admit([STORED], "a.mcap", 10) is STORED


def test_if_match_on_another_checksum_or_a_missing_file_fails_the_precondition() -> None:
    with pytest.raises(PreconditionFailed):
        policy(if_match='"' + "0" * 64 + '"').admit([STORED], "a.mcap", 10)
    with pytest.raises(PreconditionFailed):
        policy(if_match="*").admit([STORED], "b.mcap", 10)


@pytest.mark.parametrize("tag", ["", 'W/"x"', '"abc"', "g" * 64])
def test_a_malformed_if_match_is_invalid_input(tag: str) -> None:
    with pytest.raises(InvalidInput):
        policy(if_match=tag)


def test_files_per_batch_count_a_replacement_as_no_new_file() -> None:
    with pytest.raises(TooManyFiles):
        policy(max_files=1).admit([STORED], "b.mcap", 1)
    assert policy(replace=True, max_files=1).admit([STORED], "a.mcap", 1) is STORED


def test_bytes_per_batch_leave_room_for_what_a_replacement_frees() -> None:
    assert policy(max_bytes=100).room([STORED], None) == 40
    assert policy(max_bytes=100).room([STORED], STORED) == 100
    assert policy().room([STORED], None) is None
    with pytest.raises(BatchTooLarge):
        policy(max_bytes=100).admit([STORED], "b.mcap", 41)


def test_open_batches_per_vehicle() -> None:
    BatchLimits(max_open_per_vehicle=2).check_may_open(vehicle_id="v", open_batches=1)
    with pytest.raises(TooManyOpenBatches):
        BatchLimits(max_open_per_vehicle=2).check_may_open(vehicle_id="v", open_batches=2)
    BatchLimits().check_may_open(vehicle_id="v", open_batches=10_000)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("0-0", True),
        (f"{(1 << 64) - 1}-{(1 << 64) - 1}", True),
        (f"{1 << 64}-0", False),
        ("1-", False),
        ("-1", False),
        ("1-1\n", False),
        ("x-1", False),
    ],
)
def test_event_ids_are_two_unsigned_64_bit_numbers(value: str, ok: bool) -> None:
    if ok:
        assert validate_event_id(value) == value
    else:
        with pytest.raises(InvalidInput):
            validate_event_id(value)


@pytest.mark.parametrize(
    ("value", "bad"),
    [("veh-1", False), ("a\x00b", True), ("a\tb", True), ("a\x7f", True), ("é ü", False)],
)
def test_control_characters(value: str, bad: bool) -> None:
    assert has_control_characters(value) is bad
