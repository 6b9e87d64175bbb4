"""Event envelopes and identifier validation."""

from __future__ import annotations

import pytest

from argus.domain.errors import InvalidInput
from argus.domain.events import (
    EVENT_TYPES,
    BatchUploaded,
    Family,
    FileScattered,
    event_from_wire,
    event_to_wire,
)
from argus.domain.identifiers import validate_file_name, validate_id

pytestmark = pytest.mark.unit


def test_every_event_type_round_trips_through_its_wire_form() -> None:
    samples = {
        "BatchUploaded": {"vehicle_id": "v", "total_files": 2},
        "FileScattered": {"file_id": "f", "file_name": "a.mcap", "blob_key": "k"},
        "FileParsed": {"file_id": "f", "summary_key": "s", "message_count": 3, "engine": "python"},
        "FileParseFailed": {"file_id": "f", "reason": "corrupt"},
        "AllFilesParsed": {"parsed_files": 1, "failed_files": 0},
        "BatchGathered": {"vehicle_id": "v", "anomaly_count": 4},
        "DiagnosisRequested": {"vehicle_id": "v"},
        "DiagnosisCompleted": {"component": "lidar", "severity": "high"},
        "BatchStatusChanged": {"status": "uploaded", "previous": "pending"},
    }
    assert set(samples) == set(EVENT_TYPES)
    for name, data in samples.items():
        event = EVENT_TYPES[name](batch_id="b", **data)
        wire = event_to_wire(event)
        assert wire["type"] == name and wire["schema_version"] == 1
        assert event_from_wire(wire) == event


def test_the_old_wire_name_batch_created_is_read_as_batch_uploaded() -> None:
    # A message written before the rename may still wait in a stream or topic.
    old = {
        "type": "BatchCreated",
        "schema_version": 1,
        "event_id": "e1",
        "occurred_at": "2026-12-01T00:00:00+00:00",
        "data": {"batch_id": "b", "vehicle_id": "v", "total_files": 3},
    }
    event = event_from_wire(old)
    assert event == BatchUploaded(
        batch_id="b", vehicle_id="v", total_files=3, event_id="e1", occurred_at=old["occurred_at"]
    )
    assert event_to_wire(event)["type"] == "BatchUploaded"  # only the new name is written


def test_file_scattered_is_keyed_by_file_and_batch_events_by_batch() -> None:
    scattered = FileScattered(batch_id="b", file_id="f", file_name="n", blob_key="k")
    created = BatchUploaded(batch_id="b", vehicle_id="v", total_files=1)
    assert (scattered.family, scattered.partition_key) == (Family.SCATTER, "f")
    assert (created.family, created.partition_key) == (Family.BATCH, "b")


@pytest.mark.parametrize(
    "wire",
    [
        {"type": "Nope", "schema_version": 1, "event_id": "e", "occurred_at": "t", "data": {}},
        {
            "type": "BatchUploaded",
            "schema_version": 99,
            "event_id": "e",
            "occurred_at": "t",
            "data": {},
        },
        {
            "type": "BatchUploaded",
            "schema_version": 1,
            "event_id": "e",
            "occurred_at": "t",
            "data": {"x": 1},
        },
        {"schema_version": 1},
    ],
)
def test_malformed_envelopes_are_rejected(wire: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        event_from_wire(wire)


@pytest.mark.parametrize("value", ["batch-101", "a", "A.b_c-9", "x" * 64])
def test_valid_ids(value: str) -> None:
    assert validate_id(value, what="batch_id") == value


@pytest.mark.parametrize("value", ["", "x" * 65, "a/b", "a b", "ü", "a\x00"])
def test_invalid_ids(value: str) -> None:
    with pytest.raises(InvalidInput):
        validate_id(value, what="batch_id")


@pytest.mark.parametrize("name", ["drive_0.mcap", "log (1).mcap", "a..b.mcap", "x" * 255])
def test_valid_file_names(name: str) -> None:
    assert validate_file_name(name) == name


@pytest.mark.parametrize(
    "name", ["", ".", "..", "../x", "a/b", "a\\b", "a\x00b", "tab\tname", "x" * 300]
)
def test_invalid_file_names(name: str) -> None:
    with pytest.raises(InvalidInput):
        validate_file_name(name)
