"""Write realistic ROS 2 drive logs (MCAP, profile ros2, CDR) with injected faults."""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from argus.loggen import chatter
from argus.loggen.effects import Effects, Flag, FlagWindow, Silence, StatusOverride, Window
from argus.loggen.faults import Fault, FaultWindow, resolve
from argus.loggen.layout import CLASSIC
from argus.loggen.payloads import plan_size
from argus.loggen.writer import write_file, write_files

# 2024-05-01T08:00:00Z: a fixed default so that the same arguments give the same bytes.
DEFAULT_START_NS = 1_714_550_400_000_000_000
_SECOND = 1_000_000_000


def fault_effects(windows: Sequence[FaultWindow], *, seed: int) -> Effects:
    """The effects of catalogue faults (`--fault`), with the fault log lines of file seed `seed`."""
    silences, statuses, flags = [], [], []
    for fw in windows:
        window = Window(fw.start_ns, fw.end_ns)
        if fw.spec.topic is not None:
            silences.append(Silence(frozenset({fw.spec.topic}), window))
        spec = fw.spec
        statuses.append(
            StatusOverride(
                spec.diagnostic_name, spec.diagnostic_level, spec.diagnostic_message, "n/a", window
            )
        )
        if spec.name == "diag-error":
            flags.append(FlagWindow(Flag.GNSS_NO_FIX, window))
    lines = chatter.fault_lines(windows, random.Random(f"fault-lines:{seed}"))
    return Effects(
        silences=tuple(silences), statuses=tuple(statuses), lines=tuple(lines), flags=tuple(flags)
    )


def generate_drive_log(
    path: str | os.PathLike[str],
    *,
    seed: int = 0,
    start_ns: int = DEFAULT_START_NS,
    duration_s: float | None = None,
    target_bytes: int | None = None,
    faults: Sequence[Fault] = (),
    compression: str = "zstd",
    vehicle_id: str = "veh-001",
) -> Path:
    """Write one drive log to `path` (same arguments, same bytes) and return the path."""
    plan = plan_size(duration_s=duration_s, target_bytes=target_bytes, compression=compression)
    windows = [resolve(f, origin_ns=start_ns, span_ns=plan.duration_ns) for f in faults]
    out = Path(path)
    write_file(
        out,
        seed=seed,
        start_ns=start_ns,
        origin_ns=start_ns,
        plan=plan,
        layout=CLASSIC,
        effects=fault_effects(windows, seed=seed),
        compression=compression,
        vehicle_id=vehicle_id,
    )
    return out


def batch_paths(
    out_dir: str | os.PathLike[str], *, vehicle_id: str, files: int, start_ns: int
) -> list[Path]:
    """The file names of a split rosbag2 bag: `{vehicle}_{start stamp}_{index}.mcap`."""
    if files < 1:
        raise ValueError("files must be at least 1")
    stamp = datetime.fromtimestamp(start_ns // _SECOND, tz=UTC).strftime("%Y_%m_%d-%H_%M_%S")
    return [Path(out_dir) / f"{vehicle_id}_{stamp}_{index}.mcap" for index in range(files)]


def generate_batch(
    out_dir: str | os.PathLike[str],
    *,
    vehicle_id: str = "veh-001",
    files: int = 3,
    seed: int = 0,
    target_bytes_per_file: int = 10_000_000,
    faults: Sequence[Fault] = (),
    start_ns: int = DEFAULT_START_NS,
    compression: str = "zstd",
) -> list[Path]:
    """Write `files` consecutive parts of one recording, as a split rosbag2 bag."""
    # Fault times count from the start of the batch, so one window may span two files.
    paths = batch_paths(out_dir, vehicle_id=vehicle_id, files=files, start_ns=start_ns)
    plan = plan_size(duration_s=None, target_bytes=target_bytes_per_file, compression=compression)
    windows = [resolve(f, origin_ns=start_ns, span_ns=files * plan.duration_ns) for f in faults]
    write_files(
        paths,
        seed=seed,
        origin_ns=start_ns,
        plan=plan,
        layout=CLASSIC,
        effects=lambda file_seed: fault_effects(windows, seed=file_seed),
        compression=compression,
        vehicle_id=vehicle_id,
    )
    return paths
