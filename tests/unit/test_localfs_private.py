"""The local blob store's files are the owner's alone: drive logs hold where a vehicle was."""

from __future__ import annotations

import stat
from pathlib import Path

from argus.infrastructure.blob.localfs import LocalFsBlobStore


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
