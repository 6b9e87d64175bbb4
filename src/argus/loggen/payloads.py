"""Sensor payload bytes and the size plan that turns a byte target into duration and scale.

Payloads are slices of two pre-built pools so that generating gigabytes costs memory copies, not
per-byte random numbers. The lidar pool imitates `PointXYZIRT` clouds (float fields with
low-entropy exponents, zero padding, ring indices, runs of no-return points), so it compresses
about as well as real clouds; the camera pool is uniform noise, like JPEG data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

LIDAR_RATE_HZ = 10
CAMERA_RATE_HZ = 15
LIDAR_RINGS = 32
LIDAR_FULL_WIDTH = 1800
POINT_STEP = 32
CAMERA_FULL_BYTES = 160_000
LIDAR_FULL_BYTES = LIDAR_RINGS * LIDAR_FULL_WIDTH * POINT_STEP
# rosbag2's MCAP storage plugin default (McapWriterOptions::chunkSize).
CHUNK_SIZE = 768 * 1024
# Pools are larger than a chunk plus a payload, so one chunk never holds the same bytes twice
# and the compressor cannot shortcut repeats that real sensors would not produce.
_LIDAR_POOL_POINTS = 1 << 19
_CAMERA_POOL_BYTES = 8 * 1024 * 1024
MIN_DURATION_S = 20.0
MIN_SCALE = 1e-4

# Calibrated on generated files: compressed bytes per raw byte of each pool, and bytes per
# second of everything else (small topics, message records, indexes) after compression.
_RATIOS = {"zstd": (0.53, 1.0), "lz4": (0.66, 1.0), "none": (1.0, 1.0)}
_SMALL_BYTES_PER_S = {"zstd": 14_000, "lz4": 18_000, "none": 79_000}

_MID = bytes((i & 0xF0) | ((i >> 2) & 3) for i in range(256))
_EXPONENT = bytes([0x3F, 0x40, 0x41, 0x41, 0x42, 0xBF, 0xC0, 0xC1] * 32)
_INTENSITY = bytes([0x41, 0x42, 0x43, 0x42] * 64)
_TIME_EXP = bytes([0x3C, 0x3D] * 128)


@lru_cache(maxsize=2)
def lidar_pool(seed: int) -> bytes:
    """A pool of `PointXYZIRT`-like points (32 bytes each), deterministic in `seed`."""
    rng = random.Random(f"lidar-pool:{seed}")
    n = _LIDAR_POOL_POINTS
    buf = bytearray(n * POINT_STEP)
    for base in (0, 4, 8):  # x, y, z as float32: random mantissa, few exponents
        buf[base::POINT_STEP] = rng.randbytes(n)
        buf[base + 1 :: POINT_STEP] = rng.randbytes(n)
        buf[base + 2 :: POINT_STEP] = rng.randbytes(n).translate(_MID)
        buf[base + 3 :: POINT_STEP] = rng.randbytes(n).translate(_EXPONENT)
    buf[18::POINT_STEP] = rng.randbytes(n)
    buf[19::POINT_STEP] = rng.randbytes(n).translate(_INTENSITY)
    rows = b"".join(bytes([ring]) * LIDAR_FULL_WIDTH for ring in range(LIDAR_RINGS))
    buf[20::POINT_STEP] = (rows * (n // len(rows) + 1))[:n]
    buf[24::POINT_STEP] = rng.randbytes(n)
    buf[25::POINT_STEP] = rng.randbytes(n)
    buf[26::POINT_STEP] = rng.randbytes(n).translate(_MID)
    buf[27::POINT_STEP] = rng.randbytes(n).translate(_TIME_EXP)
    for _ in range(n // 2000):  # no-return points: runs of zeros
        first = rng.randrange(n)
        count = min(rng.randrange(16, 400), n - first)
        buf[first * POINT_STEP : (first + count) * POINT_STEP] = bytes(count * POINT_STEP)
    return bytes(buf)


@lru_cache(maxsize=2)
def camera_pool(seed: int) -> bytes:
    """A pool of incompressible bytes standing in for JPEG entropy-coded data."""
    return random.Random(f"camera-pool:{seed}").randbytes(_CAMERA_POOL_BYTES)


class PoolCursor:
    """Hands out consecutive slices of a pool, wrapping around at its end."""

    def __init__(self, pool: bytes, align: int = 1) -> None:
        self._pool = pool
        self._align = align
        self._pos = 0

    def take(self, size: int) -> bytes:
        """The next `size` bytes of the pool."""
        if size > len(self._pool):
            raise ValueError(f"payload of {size} bytes is larger than the pool")
        if self._pos + size > len(self._pool):
            self._pos = 0
        data = self._pool[self._pos : self._pos + size]
        self._pos += -(-size // self._align) * self._align
        return data


@dataclass(frozen=True, slots=True)
class SizePlan:
    """How long a file lasts and how large its sensor payloads are (1.0 = full resolution)."""

    duration_ns: int
    scale: float

    @property
    def lidar_width(self) -> int:
        return max(1, round(LIDAR_FULL_WIDTH * self.scale))

    @property
    def camera_bytes(self) -> int:
        return max(256, round(CAMERA_FULL_BYTES * self.scale))


def _full_rate(compression: str) -> tuple[float, float]:
    lidar_ratio, camera_ratio = _RATIOS[compression]
    big = LIDAR_RATE_HZ * LIDAR_FULL_BYTES * lidar_ratio
    big += CAMERA_RATE_HZ * CAMERA_FULL_BYTES * camera_ratio
    return float(_SMALL_BYTES_PER_S[compression]), big


def plan_size(*, duration_s: float | None, target_bytes: int | None, compression: str) -> SizePlan:
    """Choose duration and payload scale so the file lands near `target_bytes`."""
    if compression not in _RATIOS:
        raise ValueError(f"unknown compression {compression!r}; use zstd, lz4 or none")
    if duration_s is None and target_bytes is None:
        raise ValueError("give duration_s or target_bytes")
    if duration_s is not None and duration_s <= 0:
        raise ValueError("duration_s must be positive")
    if target_bytes is None:
        assert duration_s is not None
        return SizePlan(duration_ns=round(duration_s * 1e9), scale=1.0)
    if target_bytes <= 0:
        raise ValueError("target_bytes must be positive")
    small, big = _full_rate(compression)
    if duration_s is None:
        # Grow the payloads to full resolution first, then the duration: big files are long.
        duration_s = max(MIN_DURATION_S, target_bytes / (small + big))
    scale = (target_bytes / duration_s - small) / big
    return SizePlan(duration_ns=round(duration_s * 1e9), scale=min(1.0, max(MIN_SCALE, scale)))
