"""Every legal and illegal transition of the Batch state machine."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from argus.domain.batch import ABANDONED_UPLOAD, FINAL_STATES, TRANSITIONS, Batch, BatchStatus
from argus.domain.errors import Conflict, IllegalTransition
from argus.domain.events import (
    AllFilesParsed,
    BatchStatusChanged,
    BatchUploaded,
    DiagnosisRequested,
    FileScattered,
)
from argus.domain.log_file import FileStatus, LogFile
from argus.domain.upload_policy import UploadPolicy

pytestmark = pytest.mark.unit

LEGAL = [
    (BatchStatus.PENDING, BatchStatus.UPLOADED),
    (BatchStatus.UPLOADED, BatchStatus.SCATTERING),
    (BatchStatus.SCATTERING, BatchStatus.GATHERING),
    (BatchStatus.GATHERING, BatchStatus.DIAGNOSING),
    (BatchStatus.DIAGNOSING, BatchStatus.COMPLETED),
    (BatchStatus.DIAGNOSING, BatchStatus.COMPLETED_WITH_ERRORS),
    *[(s, BatchStatus.FAILED) for s in BatchStatus if s not in FINAL_STATES],
]
ILLEGAL = [pair for pair in itertools.product(BatchStatus, BatchStatus) if pair not in LEGAL]


def a_file(name: str = "a.mcap") -> LogFile:
    return LogFile(file_id=f"id-{name}", name=name, size=10, sha256="0" * 64, blob_key=f"k/{name}")


def batch_in(status: BatchStatus, files: int = 2) -> Batch:
    batch = Batch(batch_id="b-1", vehicle_id="veh-1", status=status)
    batch.files = [a_file(f"f{i}.mcap") for i in range(files)]
    return batch


def test_the_table_lists_exactly_the_legal_transitions() -> None:
    listed = {(src, dst) for src, targets in TRANSITIONS.items() for dst in targets}
    assert listed == set(LEGAL)


@pytest.mark.parametrize(("source", "target"), LEGAL)
def test_legal_transition_moves_and_records_a_status_event(
    source: BatchStatus, target: BatchStatus
) -> None:
    batch = batch_in(source)
    batch._move(target)
    assert batch.status is target
    [event] = batch.pull_events()
    assert isinstance(event, BatchStatusChanged)
    assert (event.previous, event.status) == (source.value, target.value)


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_illegal_transition_raises_and_changes_nothing(
    source: BatchStatus, target: BatchStatus
) -> None:
    batch = batch_in(source)
    with pytest.raises(IllegalTransition):
        batch._move(target)
    assert batch.status is source
    assert batch.pull_events() == []


def test_complete_upload_emits_batch_uploaded_once() -> None:
    batch = batch_in(BatchStatus.PENDING, files=3)
    assert batch.complete_upload() is True
    events = batch.pull_events()
    assert [type(e) for e in events] == [BatchStatusChanged, BatchUploaded]
    assert events[1].total_files == 3  # type: ignore[attr-defined]
    assert batch.complete_upload() is False
    assert batch.pull_events() == []


def test_complete_upload_of_an_empty_batch_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="no files"):
        batch_in(BatchStatus.PENDING, files=0).complete_upload()


def test_files_cannot_be_added_after_the_upload_phase() -> None:
    with pytest.raises(Conflict):
        batch_in(BatchStatus.UPLOADED).add_file(a_file("late.mcap"))


def test_a_file_of_the_same_name_replaces_the_old_one_when_asked() -> None:
    batch = batch_in(BatchStatus.PENDING, files=1)
    newer = LogFile(file_id="new", name="f0.mcap", size=1, sha256="1" * 64, blob_key="k/new")
    replaced = batch.add_file(newer, UploadPolicy(replace=True))
    assert replaced is not None and replaced.file_id == "id-f0.mcap"
    assert [f.file_id for f in batch.files] == ["new"]


def test_scatter_emits_one_file_scattered_per_file_and_marks_them_parsing() -> None:
    batch = batch_in(BatchStatus.UPLOADED, files=3)
    assert batch.scatter() is True
    scattered = [e for e in batch.pull_events() if isinstance(e, FileScattered)]
    assert sorted(e.file_name for e in scattered) == ["f0.mcap", "f1.mcap", "f2.mcap"]
    assert all(f.status is FileStatus.PARSING for f in batch.files)
    assert batch.scatter() is False


def test_barrier_opens_only_when_every_file_has_an_outcome() -> None:
    batch = batch_in(BatchStatus.SCATTERING, files=2)
    batch.files[0].record_result(parsed=True, summary_key="s", reason=None)
    with pytest.raises(Conflict):
        batch.open_barrier()
    batch.files[1].record_result(parsed=False, summary_key=None, reason="corrupt")
    assert batch.open_barrier() is True
    opened = [e for e in batch.pull_events() if isinstance(e, AllFilesParsed)]
    assert [(e.parsed_files, e.failed_files) for e in opened] == [(1, 1)]
    assert batch.open_barrier() is False


@pytest.mark.parametrize(
    ("failed", "expected"),
    [(0, BatchStatus.COMPLETED), (1, BatchStatus.COMPLETED_WITH_ERRORS)],
)
def test_finish_reports_errors_when_a_file_failed(failed: int, expected: BatchStatus) -> None:
    batch = batch_in(BatchStatus.DIAGNOSING, files=2)
    for index, log_file in enumerate(batch.files):
        log_file.record_result(parsed=index >= failed, summary_key=None, reason="bad")
    assert batch.finish() is True
    assert batch.status is expected


def test_start_diagnosis_requests_the_diagnosis_with_the_state_change_once() -> None:
    batch = batch_in(BatchStatus.GATHERING)
    assert batch.start_diagnosis() is True
    events = batch.pull_events()
    assert [type(e) for e in events] == [BatchStatusChanged, DiagnosisRequested]
    assert isinstance(events[0], BatchStatusChanged) and events[0].status == "diagnosing"
    assert (events[1].batch_id, getattr(events[1], "vehicle_id", None)) == ("b-1", "veh-1")
    assert batch.start_diagnosis() is False
    assert batch.pull_events() == []


@pytest.mark.parametrize(
    "status", [BatchStatus.UPLOADED, BatchStatus.SCATTERING, BatchStatus.GATHERING]
)
def test_a_diagnosis_before_diagnosing_is_an_illegal_transition(status: BatchStatus) -> None:
    # No shortcut through `diagnosing` any more: the diagnosis is requested only by the
    # transition into it, so arriving earlier would be a bug worth a loud error.
    batch = batch_in(status)
    with pytest.raises(IllegalTransition):
        batch.finish()
    assert batch.status is status and batch.pull_events() == []


def test_a_redelivered_diagnosis_after_the_batch_ended_changes_nothing() -> None:
    batch = batch_in(BatchStatus.DIAGNOSING)
    assert batch.finish() is True
    batch.pull_events()
    assert batch.finish() is False
    assert batch.status is BatchStatus.COMPLETED and batch.pull_events() == []


def test_first_file_outcome_wins() -> None:
    log_file = a_file()
    assert log_file.record_result(parsed=True, summary_key="s", reason=None) is True
    assert log_file.record_result(parsed=False, summary_key=None, reason="late") is False
    assert log_file.status is FileStatus.PARSED


@pytest.mark.parametrize("status", sorted(FINAL_STATES))
def test_fail_is_a_no_op_once_final(status: BatchStatus) -> None:
    batch = batch_in(status)
    assert batch.fail("too late") is False
    assert batch.status is status


def test_a_pending_batch_idle_since_before_the_cutoff_is_abandoned() -> None:
    batch = Batch(batch_id="b-1", vehicle_id="v-1")
    batch.add_file(a_file())
    last_upload = batch.updated_at
    assert not batch.abandon_upload(last_upload)  # idle exactly since the cutoff: not yet
    assert batch.abandon_upload(last_upload + timedelta(microseconds=1))
    assert batch.status is BatchStatus.FAILED
    assert batch.failure_reason is not None
    assert batch.failure_reason.startswith(ABANDONED_UPLOAD)
    event = batch.pull_events()[-1]
    assert isinstance(event, BatchStatusChanged)
    assert (event.status, event.previous, event.reason) == (
        "failed",
        "pending",
        batch.failure_reason,
    )


@pytest.mark.parametrize("status", [s for s in BatchStatus if s is not BatchStatus.PENDING])
def test_only_pending_batches_can_be_abandoned(status: BatchStatus) -> None:
    batch = Batch(batch_id="b-1", vehicle_id="v-1", status=status)
    assert not batch.abandon_upload(batch.updated_at + timedelta(days=30))
    assert batch.status is status and not batch.pull_events()


def test_an_upload_is_activity_that_postpones_abandonment() -> None:
    batch = Batch(batch_id="b-1", vehicle_id="v-1")
    batch.updated_at -= timedelta(hours=2)  # opened two hours ago
    opened = batch.updated_at
    batch.add_file(a_file())
    assert batch.updated_at > opened + timedelta(hours=1)
    assert not batch.abandon_upload(opened + timedelta(hours=1))
