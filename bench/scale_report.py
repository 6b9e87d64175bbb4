"""What bench/scale.py prints: the speed-up, the bounds that explain it, and where the CPU went."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from statistics import median

# Kinds of CPU time that are not a process of this run (proc_cpu.account).
MACHINE = ("interrupts", "steal", "rest of machine")
PHASES = (
    ("complete → scattering", None, "scattering"),
    ("scattering → gathering (parsing)", "scattering", "gathering"),
    ("gathering → report final", "gathering", None),
)


@dataclass(frozen=True)
class Measurement:
    parsers: int
    wall_s: float
    cpu_s: dict[str, float]  # kind → CPU seconds spent during the batch
    files_per_parser: list[int]
    phases: dict[str, float]  # batch status → seconds after `complete` it was seen (SSE)
    others: dict[str, float]  # CPU seconds of the machine's other commands, largest first
    at_rest: dict[str, float]  # kind → CPU seconds per second just before, with no batch

    @property
    def split_bound(self) -> float:
        """The speed-up the file split allows at most: files ÷ the busiest parser's files
        (equal-sized files; whatever the cores)."""
        return sum(self.files_per_parser) / max(max(self.files_per_parser), 1)

    def cpu(self, kind: str, cores: int) -> float:
        busy = sum(self.cpu_s.values())
        if kind == "Argus + servers":
            return sum(s for k, s in self.cpu_s.items() if k not in MACHINE)
        if kind == "total busy":
            return busy
        if kind == "idle":
            return max(0.0, self.wall_s * cores - busy)
        return self.cpu_s[kind]

    def phase(self, since: str | None, until: str | None) -> float:
        start = self.phases.get(since, 0.0) if since else 0.0
        end = self.phases.get(until, self.wall_s) if until else self.wall_s
        return end - start


def report(results: dict[int, list[Measurement]], paths: list[Path], rounds: int) -> None:
    total_mb = sum(p.stat().st_size for p in paths) / 1e6
    cores = os.cpu_count() or 1
    baseline = median(m.wall_s for m in results[min(results)])
    print(f"\n{len(paths)} files, {total_mb:.0f} MB; {cores} cores; {rounds} rounds, interleaved")
    print(
        f"{'parsers':>7} {'median wall':>12} {'min wall':>9} {'speed-up':>9} "
        f"{'split allows':>13} {'CPU allows':>11}  files per parser"
    )
    for parsers, runs in results.items():
        wall = median(m.wall_s for m in runs)
        # Argus and its servers' CPU spread over every core, nothing else running: the floor.
        floor = median(m.cpu("Argus + servers", cores) for m in runs) / cores
        shares = "  ".join("/".join(str(n) for n in m.files_per_parser) for m in runs)
        print(
            f"{parsers:>7} {wall:>10.2f} s {min(m.wall_s for m in runs):>7.2f} s "
            f"{baseline / wall:>8.2f}× {median(m.split_bound for m in runs):>12.2f}× "
            f"{baseline / floor:>10.2f}×  {shares}"
        )
    print("\nWhere the wall time went (median seconds; batch statuses as the SSE stream saw them):")
    print(f"{'':>34}" + "".join(f"{f'{n} parser(s)':>14}" for n in results))
    for label, since, until in PHASES:
        cells = [median(m.phase(since, until) for m in runs) for runs in results.values()]
        print(f"{label:>34}" + "".join(f"{cell:>12.2f} s" for cell in cells))
    kinds = list(next(iter(results.values()))[0].cpu_s)
    print("\nCPU seconds during the batch (median over rounds), and share of 'cores × wall':")
    print(f"{'':>16}" + "".join(f"{f'{n} parser(s)':>20}" for n in results))
    for kind in [*kinds, "Argus + servers", "total busy", "idle"]:
        cells = []
        for runs in results.values():
            seconds = median(m.cpu(kind, cores) for m in runs)
            capacity = median(m.wall_s * cores for m in runs)
            cells.append(f"{seconds:>11.2f} s {100 * seconds / capacity:>5.1f}%")
        print(f"{kind:>16}" + "".join(f"{cell:>20}" for cell in cells))
    rest = {k: median(m.at_rest[k] for r in results.values() for m in r) for k in kinds}
    print("\nAt rest, before each batch (CPU seconds per second, median; the polling floor):")
    print("  " + ", ".join(f"{kind} {rate:.3f}" for kind, rate in rest.items()))
    others: dict[str, float] = {}
    for runs in results.values():
        for m in runs:
            for name, seconds in m.others.items():
                others[name] = others.get(name, 0.0) + seconds
    top = sorted(others.items(), key=lambda item: -item[1])[:8]
    print("\nOther commands on the machine during all batches (CPU seconds, summed):")
    print("  " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in top))
