"""CPU seconds of process trees and of the whole machine, read from /proc (Linux).

A server is a tree: PostgreSQL forks a backend per connection, a role may fork helpers. The
CPU of a tree is the user + system time of every live process in it plus what its reaped
children left in `cutime`/`cstime`, so a backend that exits between two readings still counts.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def stat_fields(line: str) -> tuple[str, list[str]]:
    """(command name, the fields after it) of one /proc/<pid>/stat line. The name sits in
    parentheses and may itself hold spaces and parentheses, so it ends at the last ')'."""
    start, end = line.index("("), line.rindex(")")
    return line[start + 1 : end], line[end + 2 :].split()


def parent_and_ticks(line: str) -> tuple[int, int]:
    """(parent pid, utime + stime + cutime + cstime in clock ticks) of one stat line."""
    _, fields = stat_fields(line)
    # After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    return int(fields[1]), sum(int(value) for value in fields[11:15])


def read_processes(proc: Path = PROC) -> dict[int, tuple[int, int]]:
    """Every live process: pid → (parent pid, CPU ticks). Vanished ones are skipped."""
    processes: dict[int, tuple[int, int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            line = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        processes[int(entry.name)] = parent_and_ticks(line)
    return processes


def tree_ticks(root: int, processes: Mapping[int, tuple[int, int]]) -> int:
    """CPU ticks of `root` and all its live descendants (0 when `root` is gone)."""
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (parent, _) in processes.items():
        children[parent].append(pid)
    total, stack = 0, [root] if root in processes else []
    while stack:
        pid = stack.pop()
        total += processes[pid][1]
        stack.extend(children.get(pid, ()))
    return total


def cpu_seconds(roots: Mapping[str, Iterable[int]], proc: Path = PROC) -> dict[str, float]:
    """CPU seconds used so far by each named group of process trees, read in one pass."""
    processes = read_processes(proc)
    return {
        name: sum(tree_ticks(pid, processes) for pid in pids) / TICKS_PER_S
        for name, pids in roots.items()
    }


def machine_busy_seconds(proc: Path = PROC) -> float:
    """CPU seconds every core spent busy since boot (all but idle and iowait), whoever ran."""
    fields = (proc / "stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_S
