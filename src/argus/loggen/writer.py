"""Write one MCAP file: merge every stream's timeline, apply the effects, encode with mcap_ros2."""

from __future__ import annotations

import dataclasses
import heapq
import random
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from mcap.writer import CompressionType
from mcap_ros2.writer import Writer

from argus.loggen import chatter, messages, navigation
from argus.loggen.effects import Effects, Flag
from argus.loggen.layout import Layout, Stream
from argus.loggen.msgdefs import schema_text
from argus.loggen.payloads import (
    CAMERA_RATE_HZ,
    CHUNK_SIZE,
    LIDAR_RATE_HZ,
    POINT_STEP,
    PoolCursor,
    SizePlan,
    camera_pool,
    lidar_pool,
)

_SECOND = 1_000_000_000
_COMPRESSION = {
    "zstd": CompressionType.ZSTD,
    "lz4": CompressionType.LZ4,
    "none": CompressionType.NONE,
}
_ROSOUT = ("/rosout", "rcl_interfaces/msg/Log")

# (log_time, topic rank, sequence, topic, payload) — the first three always differ.
Item = tuple[int, int, int, str, Any]


def _periodic(
    stream: Stream, rank: int, start_ns: int, end_ns: int, rng: random.Random, effects: Effects
) -> Iterator[Item]:
    gaps = [s.window for s in effects.silences if stream.topic in s.topics]
    throttles = [t for t in effects.throttles if t.topic == stream.topic]
    k = 0
    while True:
        # Integer arithmetic: k-th tick of rate_hz without drift, plus bounded clock jitter.
        t_ns = (
            start_ns
            + stream.phase_ns
            + k * _SECOND // stream.rate_hz
            + rng.randint(-stream.jitter_ns, stream.jitter_ns)
        )
        if t_ns >= end_ns:
            return
        silent = any(window.active(t_ns) for window in gaps)
        skipped = any(t.window.active(t_ns) and k % t.keep_every for t in throttles)
        if not silent and not skipped:
            yield (t_ns, rank, k, stream.topic, None)
        k += 1


def _rosout(
    rank: int, start_ns: int, end_ns: int, layout: Layout, effects: Effects, seed: int
) -> Iterator[Item]:
    normal = chatter.normal_chatter(
        start_ns,
        end_ns,
        random.Random(f"chatter:{seed}"),
        nodes=layout.nodes,
        warn_every_s=layout.warn_every_s,
        stack=layout.stack,
    )
    silent = [s.window for s in effects.silences if _ROSOUT[0] in s.topics]
    injected = sorted(effects.lines, key=lambda entry: entry.t_ns)
    lines = heapq.merge(normal, injected, key=lambda entry: entry.t_ns)
    kept = (
        line
        for line in lines
        if start_ns <= line.t_ns < end_ns and not any(w.active(line.t_ns) for w in silent)
    )
    for k, entry in enumerate(kept):
        yield (entry.t_ns, rank, k, _ROSOUT[0], entry)


Build = Callable[[int, int, Any], dict[str, Any]]


class _Builders:
    """Turns timeline items into ROS message dicts; one RNG per topic keeps streams independent."""

    def __init__(self, *, seed: int, origin_ns: int, plan: SizePlan, layout: Layout, fx: Effects):
        self._plan = plan
        self._layout = layout
        self._fx = fx
        self._motion = messages.Motion(origin_ns=origin_ns)
        self._lidar = PoolCursor(lidar_pool(seed), align=POINT_STEP)
        self._camera = PoolCursor(camera_pool(seed), align=64)
        self._rng = {s.topic: random.Random(f"{s.topic}:{seed}") for s in layout.streams}
        self.build: dict[str, Build] = {s.topic: self._builder(s) for s in layout.streams}
        self.build[_ROSOUT[0]] = lambda t, k, entry: messages.log(entry)

    def _builder(self, stream: Stream) -> Build:
        rng, motion, fx = self._rng[stream.topic], self._motion, self._fx
        builders: dict[str, Build] = {
            "lidar": lambda t, k, _: self._lidar_msg(stream, t),
            "camera": lambda t, k, _: self._camera_msg(stream, t),
            "imu": lambda t, k, _: messages.imu(
                t, motion, rng, clipped=fx.flagged(Flag.IMU_CLIPPED, t)
            ),
            "gnss": lambda t, k, _: messages.nav_sat_fix(
                t,
                motion,
                rng,
                fix=not fx.flagged(Flag.GNSS_NO_FIX, t),
                multipath=fx.flagged(Flag.GNSS_MULTIPATH, t),
            ),
            "can": lambda t, k, _: messages.can_frame(
                t, k, motion, rng, error=fx.flagged(Flag.CAN_ERROR_FRAMES, t) and k % 3 == 0
            ),
            "diagnostics": lambda t, k, _: messages.diagnostic_array(
                t, chatter.diagnostic_statuses(t, self._layout.statuses, fx.statuses)
            ),
            "radar": lambda t, k, _: navigation.radar_scan(t - stream.latency_ns, rng),
            "pose": lambda t, k, _: navigation.pose(t, motion, rng),
            "trajectory": lambda t, k, _: navigation.path(t, motion),
        }
        return builders[stream.kind]

    def _lidar_msg(self, stream: Stream, t_ns: int) -> dict[str, Any]:
        # Real scans vary a little in width (dropped columns); keep that, deterministically.
        # A faster lidar sends narrower scans, so the bytes per second stay as planned.
        rng = self._rng[stream.topic]
        full = max(1, round(self._plan.lidar_width * LIDAR_RATE_HZ / stream.rate_hz))
        width = max(1, full - rng.randrange(0, 1 + full // 50))
        return messages.point_cloud(t_ns - stream.latency_ns, width, self._lidar)

    def _camera_msg(self, stream: Stream, t_ns: int) -> dict[str, Any]:
        rng = self._rng[stream.topic]
        nominal = self._plan.camera_bytes * (CAMERA_RATE_HZ / stream.rate_hz)
        size = round(nominal * rng.uniform(0.85, 1.15))
        return messages.compressed_image(t_ns - stream.latency_ns, size, self._camera)


def write_file(
    path: Path,
    *,
    seed: int,
    start_ns: int,
    origin_ns: int,
    plan: SizePlan,
    layout: Layout,
    effects: Effects,
    compression: str,
    vehicle_id: str,
) -> None:
    """Write the part [start_ns, start_ns + plan.duration_ns) of a recording to `path`."""
    end_ns = start_ns + plan.duration_ns
    streams: list[Iterator[Item]] = []
    for rank, stream in enumerate(layout.streams):
        rng = random.Random(f"timing:{stream.topic}:{seed}")
        streams.append(_periodic(stream, rank, start_ns, end_ns, rng, effects))
    streams.append(_rosout(len(layout.streams), start_ns, end_ns, layout, effects, seed))
    builders = _Builders(seed=seed, origin_ns=origin_ns, plan=plan, layout=layout, fx=effects)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb", buffering=8 * 1024 * 1024) as out:
        writer = Writer(out, chunk_size=CHUNK_SIZE, compression=_COMPRESSION[compression])
        writer.add_metadata("vehicle", {"vehicle_id": vehicle_id, "generator": "argus.loggen"})
        datatypes = {s.topic: s.datatype for s in layout.streams}
        datatypes[_ROSOUT[0]] = _ROSOUT[1]
        schemas = {t: writer.register_msgdef(d, schema_text(d)) for t, d in datatypes.items()}
        for t_ns, _rank, k, topic, payload in heapq.merge(*streams):
            # A clock jump moves what the recorder stamps, not when things happened. Silences
            # act on true time; builders (statuses, flags) see the recorded time, so a scenario
            # keeps those windows clear of its jump.
            recorded = effects.recorded_ns(t_ns)
            if recorded != t_ns and topic == _ROSOUT[0]:
                payload = dataclasses.replace(payload, t_ns=recorded)
            message = builders.build[topic](recorded, k, payload)
            writer.write_message(topic, schemas[topic], message, log_time=recorded, sequence=k)
        writer.finish()  # type: ignore[no-untyped-call]


def write_files(
    paths: Sequence[Path],
    *,
    seed: int,
    origin_ns: int,
    plan: SizePlan,
    layout: Layout,
    effects: Callable[[int], Effects],
    compression: str,
    vehicle_id: str,
) -> None:
    """Write consecutive parts of one recording; file i uses the seed `seed * 1000003 + i`.

    `effects` maps a file's seed to its effects (catalogue faults word their lines per file).
    """
    for index, path in enumerate(paths):
        file_seed = seed * 1_000_003 + index
        write_file(
            path,
            seed=file_seed,
            start_ns=origin_ns + index * plan.duration_ns,
            origin_ns=origin_ns,
            plan=plan,
            layout=layout,
            effects=effects(file_seed),
            compression=compression,
            vehicle_id=vehicle_id,
        )
