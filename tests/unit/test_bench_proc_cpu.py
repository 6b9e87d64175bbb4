"""bench/proc_cpu.py, which bench/scale.py uses to say where the CPU went: the ticks it adds up
for a process tree, on a /proc made of files (no timing: the counts are written down)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.unit

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load_proc_cpu() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_proc_cpu", BENCH / "proc_cpu.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


proc_cpu = load_proc_cpu()


def stat_line(pid: int, name: str, ppid: int, utime: int, stime: int, cut: int, cst: int) -> str:
    # pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    # utime stime cutime cstime priority nice ...
    # ... num_threads itrealvalue starttime (here: the pid, so each process differs)
    fields = ["S", ppid, pid, pid, 0, -1, 0, 0, 0, 0, 0, utime, stime, cut, cst, 20, 0, 1, 0, pid]
    return f"{pid} ({name}) " + " ".join(str(f) for f in fields) + "\n"


def fake_proc(tmp_path: Path, rows: list[tuple[int, str, int, int, int, int, int]]) -> Path:
    for pid, *rest in rows:
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(stat_line(pid, *rest))
    (tmp_path / "self").mkdir()  # not a pid: skipped
    (tmp_path / "stat").write_text("cpu  100 5 40 900 7 1 2 3 0 0\ncpu0 50 2 20 450 3 0 1 1 0 0\n")
    return tmp_path


def test_a_command_name_with_spaces_and_parentheses_does_not_shift_the_fields() -> None:
    line = stat_line(7, "a) (b c", 3, 11, 12, 13, 14)
    name, fields = proc_cpu.stat_fields(line)
    assert (name, fields[1]) == ("a) (b c", "3")
    assert proc_cpu.process_of(line) == proc_cpu.Process("a) (b c", 3, 23, 27, 7)


def test_a_tree_counts_its_descendants_and_their_reaped_children_but_nothing_else(
    tmp_path: Path,
) -> None:
    proc = fake_proc(
        tmp_path,
        [
            (1, "init", 0, 1000, 1000, 0, 0),
            (10, "postgres", 1, 5, 5, 30, 10),  # 40 ticks left by backends that exited
            (11, "postgres: backend", 10, 7, 3, 0, 0),
            (12, "postgres: walwriter", 10, 1, 1, 0, 0),
            (13, "psql child of a backend", 11, 2, 0, 0, 0),
            (20, "minio", 1, 100, 50, 0, 0),
        ],
    )
    processes = proc_cpu.read_processes(proc)
    assert sorted(processes) == [1, 10, 11, 12, 13, 20]
    assert proc_cpu.tree_ticks(10, processes) == 10 + 40 + 10 + 2 + 2
    assert proc_cpu.tree_ticks(20, processes) == 150
    assert proc_cpu.tree_ticks(99, processes) == 0  # gone: nothing, not an error
    ticks = proc_cpu.TICKS_PER_S
    assert sorted(proc_cpu.tree(10, processes)) == [10, 11, 12, 13]
    assert proc_cpu.cpu_seconds({"pg": [10], "both": [10, 20]}, processes) == {
        "pg": 64 / ticks,
        "both": 214 / ticks,
    }


def test_the_machine_is_busy_in_everything_but_idle_and_iowait(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, [])
    # user 100 + nice 5 + system 40 + irq 1 + softirq 2 + steal 3; idle 900, iowait 7 left out
    ticks = proc_cpu.TICKS_PER_S
    assert proc_cpu.machine_seconds(proc) == {
        "busy": 151 / ticks,
        "interrupts": 3 / ticks,
        "steal": 3 / ticks,
    }


def test_other_commands_count_what_they_ran_between_the_readings_outside_my_trees() -> None:
    process = proc_cpu.Process
    before = {
        5: process("cc1plus", 1, 100, 0, started=50),
        6: process("go", 1, 50, 0, started=60),
        7: process("x", 1, 9, 0, started=70),
        10: process("kworker/0:1-events", 2, 5000, 0, started=1),
        11: process("make", 1, 30, 0, started=80),
    }
    after = {
        5: process("cc1plus", 1, 400, 0, started=50),  # 300 more
        6: process("go", 1, 80, 0, started=60),  # mine: left out
        8: process("cc1plus", 1, 100, 0, started=90),  # started meanwhile: all of it
        9: process("pytest", 1, 20, 0, started=95),
        10: process("kworker/0:1-writeback", 2, 5010, 0, started=1),  # renamed: 10 more
        11: process("sh", 1, 3, 0, started=99),  # pid 11 reused: a new process
    }
    ticks = proc_cpu.TICKS_PER_S
    others = proc_cpu.others_seconds(before, after, mine={6})
    assert others == {
        "cc1plus": 400 / ticks,
        "pytest": 20 / ticks,
        "kworker/0:1-writeback": 10 / ticks,
        "sh": 3 / ticks,
    }
    assert list(others) == ["cc1plus", "pytest", "kworker/0:1-writeback", "sh"]


def test_the_live_process_table_has_a_started_child_in_this_process_tree() -> None:
    with subprocess.Popen(["sleep", "30"]) as child:
        try:
            processes = proc_cpu.read_processes()
            # Popen returns once the child has exec'd: it is `sleep` already.
            assert (processes[child.pid].name, processes[child.pid].parent) == (
                "sleep",
                os.getpid(),
            )
            assert child.pid in proc_cpu.tree(os.getpid(), processes)
        finally:
            child.kill()
