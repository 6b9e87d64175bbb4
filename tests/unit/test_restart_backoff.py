"""Parser workers that keep dying are restarted less and less often; a healthy one at once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from argus.workers.restart_backoff import RestartBackoff
from argus.workers.supervisor import ParserSupervisor


def test_quick_deaths_double_the_wait_up_to_the_cap_and_a_healthy_run_resets_it() -> None:
    backoff = RestartBackoff(first_s=1, max_s=8, healthy_after_s=60)
    delay = None
    waits = []
    for _ in range(6):
        delay = backoff.next_delay(lived_s=0.5, previous_delay_s=delay)
        waits.append(delay)
    assert waits == [1, 2, 4, 8, 8, 8]
    assert backoff.next_delay(lived_s=3600, previous_delay_s=8) == 1


def test_the_supervisor_restarts_a_dead_worker_only_once_its_wait_is_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    supervisor = ParserSupervisor(count=1, env={}, run_dir=tmp_path, log_dir=tmp_path)
    starts: list[int] = []

    def dead_worker(slot: int) -> None:  # a process that has already exited, started "now"
        process = subprocess.Popen(["true"])
        process.wait()
        supervisor._processes[slot] = process
        supervisor._started_at[slot] = now
        starts.append(slot)

    monkeypatch.setattr(supervisor, "_spawn", dead_worker)
    now = 100.0
    dead_worker(0)
    starts.clear()
    restarts_at = []
    for tick in range(40):  # a tick per second, as the supervisor's loop
        now = 100.0 + tick
        before = len(starts)
        supervisor._restart_if_due(0, now)
        if len(starts) > before:
            restarts_at.append(tick)
    # Seen dead at tick 0; waits of 1, 2, 4, 8, 16 s after each death is seen (a tick later).
    assert restarts_at == [1, 4, 9, 18, 35]
