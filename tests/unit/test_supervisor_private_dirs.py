"""The parser supervisor's log and pid directories and files are the owner's alone."""

from __future__ import annotations

import stat
from pathlib import Path

from argus.workers.supervisor import ParserSupervisor


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_logs_and_pid_files_are_private_even_in_directories_made_0755_before(
    tmp_path: Path,
) -> None:
    run_dir, log_dir = tmp_path / "run", tmp_path / "log"
    for old in (run_dir, log_dir):
        old.mkdir(mode=0o755)
        old.chmod(0o755)  # as an older version left them (umask aside)
    (log_dir / "parser-0.log").touch(mode=0o644)
    # The worker is pointed at a closed port, so it never takes another test's messages; only
    # what the supervisor made counts here.
    nowhere = {"ARGUS_REDIS_URL": "redis://127.0.0.1:1/0"}
    supervisor = ParserSupervisor(count=1, env=nowhere, run_dir=run_dir, log_dir=log_dir)
    supervisor.start()
    try:
        assert _mode(run_dir) == 0o700
        assert _mode(log_dir) == 0o700
        assert _mode(log_dir / "parser-0.log") == 0o600
        assert (run_dir / "parser-0.pid").exists()
    finally:
        await supervisor.stop(timeout_s=10)
