"""Write realistic ROS 2 drive logs (MCAP, profile ros2, CDR) with injected faults."""

from __future__ import annotations

import heapq
import os
import random
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mcap.writer import CompressionType
from mcap_ros2.writer import Writer

from argus.loggen import chatter, messages
from argus.loggen.faults import Fault, FaultWindow, resolve
from argus.loggen.msgdefs import schema_text
from argus.loggen.payloads import (
    CHUNK_SIZE,
    POINT_STEP,
    PoolCursor,
    SizePlan,
    camera_pool,
    lidar_pool,
    plan_size,
)

# 2024-05-01T08:00:00Z: a fixed default so that the same arguments give the same bytes.
DEFAULT_START_NS = 1_714_550_400_000_000_000
_SECOND = 1_000_000_000
_COMPRESSION = {
    "zstd": CompressionType.ZSTD,
    "lz4": CompressionType.LZ4,
    "none": CompressionType.NONE,
}
_CAMERA = "/camera/front/image_raw/compressed"
# topic -> (datatype, rate in Hz, phase in ns, jitter in ns)
_SENSORS: dict[str, tuple[str, int, int, int]] = {
    "/lidar/points": ("sensor_msgs/msg/PointCloud2", 10, 3_000_000, 1_500_000),
    _CAMERA: ("sensor_msgs/msg/CompressedImage", 15, 11_000_000, 2_000_000),
    "/imu/data": ("sensor_msgs/msg/Imu", 100, 1_000_000, 200_000),
    "/gnss/fix": ("sensor_msgs/msg/NavSatFix", 10, 47_000_000, 1_000_000),
    "/vehicle/can": ("can_msgs/msg/Frame", 100, 5_000_000, 500_000),
    "/diagnostics": ("diagnostic_msgs/msg/DiagnosticArray", 1, 500_000_000, 5_000_000),
}
_ROSOUT = ("/rosout", "rcl_interfaces/msg/Log")
# Receive latency of each topic: log_time (when rosbag2 got it) minus the header stamp.
_LATENCY_NS = {"/lidar/points": 12_000_000, "/camera/front/image_raw/compressed": 25_000_000}

# (log_time, topic rank, sequence, topic, payload) — the first three always differ.
Item = tuple[int, int, int, str, Any]


def _periodic(
    topic: str, rank: int, start_ns: int, end_ns: int, rng: random.Random, gaps: list[FaultWindow]
) -> Iterator[Item]:
    _, rate_hz, phase_ns, jitter_ns = _SENSORS[topic]
    k = 0
    while True:
        # Integer arithmetic: k-th tick of rate_hz without drift, plus bounded clock jitter.
        t_ns = start_ns + phase_ns + k * _SECOND // rate_hz + rng.randint(-jitter_ns, jitter_ns)
        if t_ns >= end_ns:
            return
        if not any(window.active(t_ns) for window in gaps):
            yield (t_ns, rank, k, topic, None)
        k += 1


def _rosout(
    rank: int, start_ns: int, end_ns: int, windows: Sequence[FaultWindow], seed: int
) -> Iterator[Item]:
    normal = chatter.normal_chatter(start_ns, end_ns, random.Random(f"chatter:{seed}"))
    faults = chatter.fault_lines(windows, random.Random(f"fault-lines:{seed}"))
    lines = heapq.merge(normal, faults, key=lambda entry: entry.t_ns)
    for k, entry in enumerate(line for line in lines if start_ns <= line.t_ns < end_ns):
        yield (entry.t_ns, rank, k, _ROSOUT[0], entry)


class _Builders:
    """Turns timeline items into ROS message dicts; one RNG per topic keeps streams independent."""

    def __init__(self, *, seed: int, origin_ns: int, plan: SizePlan, windows: list[FaultWindow]):
        self._plan = plan
        self._windows = windows
        self._motion = messages.Motion(origin_ns=origin_ns)
        self._lidar = PoolCursor(lidar_pool(seed), align=POINT_STEP)
        self._camera = PoolCursor(camera_pool(seed), align=64)
        self._rng = {topic: random.Random(f"{topic}:{seed}") for topic in _SENSORS}
        self._no_fix = [w for w in windows if w.spec.name == "diag-error"]
        self.build: dict[str, Callable[[int, int, Any], dict[str, Any]]] = {
            "/lidar/points": self._lidar_msg,
            "/camera/front/image_raw/compressed": self._camera_msg,
            "/imu/data": lambda t, k, _: messages.imu(t, self._motion, self._rng["/imu/data"]),
            "/gnss/fix": self._gnss_msg,
            "/vehicle/can": lambda t, k, _: messages.can_frame(
                t, k, self._motion, self._rng["/vehicle/can"]
            ),
            "/diagnostics": lambda t, k, _: messages.diagnostic_array(
                t, chatter.diagnostic_statuses(t, self._windows)
            ),
            "/rosout": lambda t, k, entry: messages.log(entry),
        }

    def _lidar_msg(self, t_ns: int, k: int, _: Any) -> dict[str, Any]:
        # Real scans vary a little in width (dropped columns); keep that, deterministically.
        rng = self._rng["/lidar/points"]
        width = max(1, self._plan.lidar_width - rng.randrange(0, 1 + self._plan.lidar_width // 50))
        stamp_ns = t_ns - _LATENCY_NS["/lidar/points"]
        return messages.point_cloud(stamp_ns, width, self._lidar)

    def _camera_msg(self, t_ns: int, k: int, _: Any) -> dict[str, Any]:
        rng = self._rng["/camera/front/image_raw/compressed"]
        size = round(self._plan.camera_bytes * rng.uniform(0.85, 1.15))
        stamp_ns = t_ns - _LATENCY_NS["/camera/front/image_raw/compressed"]
        return messages.compressed_image(stamp_ns, size, self._camera)

    def _gnss_msg(self, t_ns: int, k: int, _: Any) -> dict[str, Any]:
        fix = not any(window.active(t_ns) for window in self._no_fix)
        return messages.nav_sat_fix(t_ns, self._motion, self._rng["/gnss/fix"], fix=fix)


def _write(
    path: Path,
    *,
    seed: int,
    start_ns: int,
    origin_ns: int,
    plan: SizePlan,
    windows: list[FaultWindow],
    compression: str,
    vehicle_id: str,
) -> None:
    end_ns = start_ns + plan.duration_ns
    topics = [*_SENSORS, _ROSOUT[0]]
    streams: list[Iterator[Item]] = []
    for rank, topic in enumerate(topics[:-1]):
        gaps = [w for w in windows if w.spec.topic == topic]
        rng = random.Random(f"timing:{topic}:{seed}")
        streams.append(_periodic(topic, rank, start_ns, end_ns, rng, gaps))
    streams.append(_rosout(len(topics) - 1, start_ns, end_ns, windows, seed))
    builders = _Builders(seed=seed, origin_ns=origin_ns, plan=plan, windows=windows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb", buffering=8 * 1024 * 1024) as out:
        writer = Writer(out, chunk_size=CHUNK_SIZE, compression=_COMPRESSION[compression])
        writer.add_metadata("vehicle", {"vehicle_id": vehicle_id, "generator": "argus.loggen"})
        datatypes = {**{t: spec[0] for t, spec in _SENSORS.items()}, _ROSOUT[0]: _ROSOUT[1]}
        schemas = {t: writer.register_msgdef(d, schema_text(d)) for t, d in datatypes.items()}
        for t_ns, _rank, k, topic, payload in heapq.merge(*streams):
            message = builders.build[topic](t_ns, k, payload)
            writer.write_message(topic, schemas[topic], message, log_time=t_ns, sequence=k)
        writer.finish()  # type: ignore[no-untyped-call]


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
    _write(
        out,
        seed=seed,
        start_ns=start_ns,
        origin_ns=start_ns,
        plan=plan,
        windows=windows,
        compression=compression,
        vehicle_id=vehicle_id,
    )
    return out


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
    if files < 1:
        raise ValueError("files must be at least 1")
    plan = plan_size(duration_s=None, target_bytes=target_bytes_per_file, compression=compression)
    windows = [resolve(f, origin_ns=start_ns, span_ns=files * plan.duration_ns) for f in faults]
    stamp = datetime.fromtimestamp(start_ns // _SECOND, tz=UTC).strftime("%Y_%m_%d-%H_%M_%S")
    paths = []
    for index in range(files):
        file_start_ns = start_ns + index * plan.duration_ns
        path = Path(out_dir) / f"{vehicle_id}_{stamp}_{index}.mcap"
        _write(
            path,
            seed=seed * 1_000_003 + index,
            start_ns=file_start_ns,
            origin_ns=start_ns,
            plan=plan,
            windows=windows,
            compression=compression,
            vehicle_id=vehicle_id,
        )
        paths.append(path)
    return paths
