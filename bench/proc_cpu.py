"""CPU seconds of process trees and of the whole machine, read from /proc (Linux).

A server is a tree: PostgreSQL forks a backend per connection, a role may fork helpers. The
CPU of a tree is the user + system time of every live process in it plus what its reaped
children left in `cutime`/`cstime`, so a backend that exits between two readings still counts.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def stat_fields(line: str) -> tuple[str, list[str]]:
    """(command name, the fields after it) of one /proc/<pid>/stat line. The name sits in
    parentheses and may itself hold spaces and parentheses, so it ends at the last ')'."""
    start, end = line.index("("), line.rindex(")")
    return line[start + 1 : end], line[end + 2 :].split()


@dataclass(frozen=True)
class Process:
    name: str
    parent: int
    own_ticks: int  # utime + stime: its threads' CPU
    reaped_ticks: int  # cutime + cstime: what its children left when they were waited for
    started: int = 0  # clock ticks after boot: with the pid, who it is (pids are reused)


def process_of(line: str) -> Process:
    name, fields = stat_fields(line)
    # After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14) …
    # starttime(19).
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return Process(name, int(fields[1]), utime + stime, cutime + cstime, int(fields[19]))


def read_processes(proc: Path = PROC) -> dict[int, Process]:
    """Every live process by pid. One that vanishes while being read is skipped."""
    processes: dict[int, Process] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            line = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        processes[int(entry.name)] = process_of(line)
    return processes


def tree(root: int, processes: Mapping[int, Process]) -> list[int]:
    """`root` and all its live descendants (empty when `root` is gone)."""
    children: dict[int, list[int]] = defaultdict(list)
    for pid, process in processes.items():
        children[process.parent].append(pid)
    found, stack = [], [root] if root in processes else []
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def tree_ticks(root: int, processes: Mapping[int, Process]) -> int:
    """CPU ticks of a process tree, its reaped children included."""
    return sum(
        processes[pid].own_ticks + processes[pid].reaped_ticks for pid in tree(root, processes)
    )


def cpu_seconds(
    roots: Mapping[str, Iterable[int]], processes: Mapping[int, Process]
) -> dict[str, float]:
    """CPU seconds used so far by each named group of process trees."""
    return {
        name: sum(tree_ticks(pid, processes) for pid in pids) / TICKS_PER_S
        for name, pids in roots.items()
    }


def others_seconds(
    before: Mapping[int, Process], after: Mapping[int, Process], mine: set[int]
) -> dict[str, float]:
    """CPU seconds each command outside `mine` spent between two readings, by name, largest
    first (a process that started and ended in between is not seen)."""
    spent: dict[str, float] = defaultdict(float)
    for pid, process in after.items():
        if pid in mine:
            continue
        # Same pid and start time: the same process, even if it renamed itself (a kernel
        # worker is named after its current work item). Otherwise it started meanwhile.
        earlier = before.get(pid)
        start = earlier.own_ticks if earlier and earlier.started == process.started else 0
        spent[process.name] += (process.own_ticks - start) / TICKS_PER_S
    return dict(sorted(spent.items(), key=lambda item: -item[1]))


def machine_seconds(proc: Path = PROC) -> dict[str, float]:
    """CPU seconds since boot, all cores: `busy` (all but idle and iowait, whoever ran) and,
    of it, `interrupts` (irq + softirq: loopback networking lands there, charged to no
    process) and `steal` (the hypervisor gave the core to another machine)."""
    fields = (proc / "stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return {
        "busy": (user + nice + system + irq + softirq + steal) / TICKS_PER_S,
        "interrupts": (irq + softirq) / TICKS_PER_S,
        "steal": steal / TICKS_PER_S,
    }


@dataclass(frozen=True)
class Reading:
    """Everything a CPU account needs, read at one moment."""

    processes: dict[int, Process]
    machine: dict[str, float]
    own_s: float  # the reading process's own CPU (its children are not in it)

    @staticmethod
    def take() -> Reading:
        return Reading(read_processes(), machine_seconds(), time.process_time())


def account(
    before: Reading, after: Reading, groups: Mapping[str, Iterable[int]], *, own: str
) -> tuple[dict[str, float], dict[str, float]]:
    """(CPU seconds of each group, of the reading process as `own`, of the kernel's
    interrupts and of steal between the two readings, and the rest of the machine's busy
    time), and the other commands that ran meanwhile, largest first."""
    first, last = cpu_seconds(groups, before.processes), cpu_seconds(groups, after.processes)
    spent = {name: last[name] - first[name] for name in groups}
    spent[own] = after.own_s - before.own_s
    for kind in ("interrupts", "steal"):
        spent[kind] = after.machine[kind] - before.machine[kind]
    busy = after.machine["busy"] - before.machine["busy"]
    spent["rest of machine"] = busy - sum(spent.values())
    mine = {os.getpid()}
    for reading in (before, after):
        for pids in groups.values():
            for pid in pids:
                mine.update(tree(pid, reading.processes))
    return spent, others_seconds(before.processes, after.processes, mine)
