"""Keeps N parser worker processes alive in the embedded mode."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from argus.infrastructure.private_dirs import make_private
from argus.workers.restart_backoff import RestartBackoff

log = logging.getLogger(__name__)


def terminate_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the supervisor dies, even by SIGKILL,
    so no orphaned worker keeps consuming (Linux prctl PR_SET_PDEATHSIG)."""
    if sys.platform == "linux":
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1


class ParserSupervisor:
    """Starts `argus worker parser` processes, restarts any that die, stops them on exit."""

    def __init__(self, *, count: int, env: dict[str, str], run_dir: Path, log_dir: Path) -> None:
        self._count = count
        self._env = env
        self._run_dir = run_dir
        self._log_dir = log_dir
        self._processes: list[subprocess.Popen[bytes] | None] = [None] * count
        self._backoff = RestartBackoff()
        self._started_at = [0.0] * count
        self._delay_s: list[float | None] = [None] * count  # the wait before the last start
        self._restart_at: list[float | None] = [None] * count  # set once a death is seen
        self._stopping = False
        self._watch: asyncio.Task[None] | None = None

    def start(self) -> None:
        # Owner only (also directories an older version made 0755): the logs name batches,
        # files and their errors.
        for private in (self._run_dir, self._log_dir):
            make_private(private)
        for slot in range(self._count):
            self._spawn(slot)
        self._watch = asyncio.create_task(self._restart_dead())

    def pids(self) -> list[int]:
        return [p.pid for p in self._processes if p is not None and p.poll() is None]

    def _spawn(self, slot: int) -> None:
        log_path = self._log_dir / f"parser-{slot}.log"
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)  # a log an older version made 0644
        with os.fdopen(fd, "ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "argus", "worker", "parser"],
                env={**os.environ, **self._env},
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=terminate_with_parent,
            )
        self._processes[slot] = process
        self._started_at[slot] = time.monotonic()
        (self._run_dir / f"parser-{slot}.pid").write_text(str(process.pid))
        log.info("parser worker %d started (pid %d)", slot, process.pid)

    async def _restart_dead(self) -> None:
        while not self._stopping:
            await asyncio.sleep(1.0)
            for slot in range(self._count):
                if not self._stopping:
                    self._restart_if_due(slot, time.monotonic())

    def _restart_if_due(self, slot: int, now: float) -> None:
        process = self._processes[slot]
        if process is None or process.poll() is None:
            return
        restart_at = self._restart_at[slot]
        if restart_at is None:  # a death not seen before: schedule the restart
            delay = self._backoff.next_delay(
                lived_s=now - self._started_at[slot], previous_delay_s=self._delay_s[slot]
            )
            self._delay_s[slot], self._restart_at[slot] = delay, now + delay
            log.warning(
                "parser worker %d (pid %d) exited with %s; restarting in %.0f s",
                slot,
                process.pid,
                process.returncode,
                delay,
            )
            return
        if now >= restart_at:
            self._restart_at[slot] = None
            self._spawn(slot)

    async def stop(self, *, timeout_s: float = 30.0) -> None:
        """SIGTERM (each finishes its file), then SIGKILL stragglers."""
        self._stopping = True
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        alive = [p for p in self._processes if p is not None and p.poll() is None]
        for process in alive:
            process.send_signal(signal.SIGTERM)
        for process in alive:
            try:
                await asyncio.to_thread(process.wait, timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)
