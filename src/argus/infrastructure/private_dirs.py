"""Directories only their owner may enter: drive logs, worker logs and pid files name where a
vehicle was and what went wrong with its files, which other local users have no business
reading."""

from __future__ import annotations

import os
from pathlib import Path


def make_private(directory: Path) -> None:
    """Create `directory` (and its parents) 0700, and close one an older version made 0755;
    one owned by another account (a mount point an operator set up) is left as it is."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_uid == os.geteuid():
        directory.chmod(0o700)
