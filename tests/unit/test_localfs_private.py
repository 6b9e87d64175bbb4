"""The local blob store's files are the owner's alone: drive logs hold where a vehicle was."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from argus.infrastructure import private_dirs
from argus.infrastructure.blob.localfs import LocalFsBlobStore
from argus.infrastructure.private_dirs import make_private


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_root_and_its_incoming_folder_are_0700(tmp_path: Path) -> None:
    LocalFsBlobStore(tmp_path / "blobs")
    assert _mode(tmp_path / "blobs") == 0o700
    assert _mode(tmp_path / "blobs" / ".incoming") == 0o700


def test_a_root_an_older_version_made_0755_is_closed(tmp_path: Path) -> None:
    old = tmp_path / "blobs"
    (old / ".incoming").mkdir(parents=True)
    for directory in (old, old / ".incoming"):
        directory.chmod(0o755)
    LocalFsBlobStore(old)
    assert _mode(old) == 0o700
    assert _mode(old / ".incoming") == 0o700


def test_a_folder_another_account_owns_keeps_its_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A root an operator mounted for the blobs (owned by another account): changing its mode
    # is theirs to decide. The owner check is what the blob store and the parser supervisor
    # share (`private_dirs.make_private`); another account is the process seeing another uid.
    mounted = tmp_path / "mounted"
    mounted.mkdir(mode=0o755)
    mounted.chmod(0o755)
    monkeypatch.setattr(private_dirs.os, "geteuid", lambda: mounted.stat().st_uid + 1)
    make_private(mounted)
    make_private(mounted / "logs")
    assert _mode(mounted) == 0o755
    assert _mode(mounted / "logs") == 0o700  # new: made private whoever owns the parent
