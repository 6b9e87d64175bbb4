"""ROS 2 message dictionaries for the drive-log topics, shaped for `mcap_ros2` encoding."""

from __future__ import annotations

import math
import random
import struct
from dataclasses import dataclass
from typing import Any

from argus.loggen.payloads import LIDAR_RINGS, POINT_STEP, PoolCursor

Msg = dict[str, Any]

# A minimal JFIF prologue and the end-of-image marker around pool bytes: looks like a JPEG.
_JPEG_HEAD = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb0043")
_JPEG_TAIL = bytes.fromhex("ffd9")
_FLOAT32 = 7
_UINT16 = 4
_POINT_FIELDS = [
    {"name": "x", "offset": 0, "datatype": _FLOAT32, "count": 1},
    {"name": "y", "offset": 4, "datatype": _FLOAT32, "count": 1},
    {"name": "z", "offset": 8, "datatype": _FLOAT32, "count": 1},
    {"name": "intensity", "offset": 16, "datatype": _FLOAT32, "count": 1},
    {"name": "ring", "offset": 20, "datatype": _UINT16, "count": 1},
    {"name": "time", "offset": 24, "datatype": _FLOAT32, "count": 1},
]
_ORIGIN_LAT, _ORIGIN_LON = 48.1351, 11.5820
_EARTH_RADIUS_M = 6_371_000.0
_SPEED_MPS = 12.0
# Ids of the periodic CAN frames the bridge forwards, round robin: wheel speeds, steering,
# brake, gear.
_CAN_IDS = (0x0C4, 0x1A0, 0x2F0, 0x3E9)
# SocketCAN error frame: CAN_ERR_FLAG | CAN_ERR_CRTL | CAN_ERR_BUSERROR.
_CAN_ERROR_ID = 0x2000_0084
# A +-16 g accelerometer (m/s^2) and a +-2000 deg/s gyro (rad/s) at the end of their range.
_ACCEL_LIMIT, _GYRO_LIMIT = 156.9, 34.9


def header(t_ns: int, frame_id: str) -> Msg:
    """A `std_msgs/Header` for time `t_ns`."""
    return {"stamp": stamp(t_ns), "frame_id": frame_id}


def stamp(t_ns: int) -> Msg:
    """A `builtin_interfaces/Time` for time `t_ns`."""
    return {"sec": t_ns // 1_000_000_000, "nanosec": t_ns % 1_000_000_000}


def point_cloud(t_ns: int, width: int, cursor: PoolCursor) -> Msg:
    """An organised `sensor_msgs/PointCloud2` scan of LIDAR_RINGS rows."""
    row_step = width * POINT_STEP
    return {
        "header": header(t_ns, "lidar_front"),
        "height": LIDAR_RINGS,
        "width": width,
        "fields": _POINT_FIELDS,
        "is_bigendian": False,
        "point_step": POINT_STEP,
        "row_step": row_step,
        "data": cursor.take(row_step * LIDAR_RINGS),
        "is_dense": False,
    }


def compressed_image(t_ns: int, size: int, cursor: PoolCursor) -> Msg:
    """A `sensor_msgs/CompressedImage` of about `size` bytes of JPEG-like data."""
    body = cursor.take(max(0, size - len(_JPEG_HEAD) - len(_JPEG_TAIL)))
    return {
        "header": header(t_ns, "camera_front_optical"),
        "format": "jpeg",
        "data": _JPEG_HEAD + body + _JPEG_TAIL,
    }


@dataclass(frozen=True, slots=True)
class Motion:
    """The vehicle's smooth path, a closed-form function of time so any sample is reproducible."""

    origin_ns: int

    def heading(self, t_s: float) -> float:
        return 0.4 * math.sin(t_s / 40.0)

    def yaw_rate(self, t_s: float) -> float:
        return 0.4 / 40.0 * math.cos(t_s / 40.0)

    def position(self, t_s: float) -> tuple[float, float]:
        # Straight-line approximation of the gently weaving path; good enough for a fix.
        heading = self.heading(t_s)
        return _SPEED_MPS * t_s * math.cos(heading), _SPEED_MPS * t_s * math.sin(heading)


def imu(t_ns: int, motion: Motion, rng: random.Random, *, clipped: bool = False) -> Msg:
    """A `sensor_msgs/Imu` sample with sensor noise; `clipped` pins it at the range limits."""
    t_s = (t_ns - motion.origin_ns) / 1e9
    yaw = motion.heading(t_s)
    cov = [0.0] * 9
    cov[0] = cov[4] = cov[8] = 1e-4
    sample: Msg = {
        "header": header(t_ns, "imu_link"),
        "orientation": {"x": 0.0, "y": 0.0, "z": math.sin(yaw / 2), "w": math.cos(yaw / 2)},
        "orientation_covariance": cov,
        "angular_velocity": {
            "x": rng.gauss(0.0, 0.002),
            "y": rng.gauss(0.0, 0.002),
            "z": motion.yaw_rate(t_s) + rng.gauss(0.0, 0.002),
        },
        "angular_velocity_covariance": cov,
        "linear_acceleration": {
            "x": rng.gauss(0.0, 0.05),
            "y": _SPEED_MPS * motion.yaw_rate(t_s) + rng.gauss(0.0, 0.05),
            "z": 9.81 + rng.gauss(0.0, 0.05),
        },
        "linear_acceleration_covariance": cov,
    }
    if clipped:
        sign = 1.0 if rng.random() < 0.5 else -1.0
        sample["angular_velocity"]["x"] = sign * _GYRO_LIMIT
        sample["linear_acceleration"] = {
            "x": sign * _ACCEL_LIMIT,
            "y": -_ACCEL_LIMIT,
            "z": _ACCEL_LIMIT,
        }
    return sample


def nav_sat_fix(
    t_ns: int, motion: Motion, rng: random.Random, *, fix: bool, multipath: bool = False
) -> Msg:
    """A `sensor_msgs/NavSatFix`; without `fix` it reports STATUS_NO_FIX like a real receiver.

    Under `multipath` the fix wanders metres off the path while still claiming a fix.
    """
    east, north = motion.position((t_ns - motion.origin_ns) / 1e9)
    if multipath:
        east, north = east + rng.gauss(4.0, 2.0), north + rng.gauss(-3.0, 2.0)
    lat = _ORIGIN_LAT + math.degrees(north / _EARTH_RADIUS_M) + rng.gauss(0.0, 2e-7)
    lon_scale = _EARTH_RADIUS_M * math.cos(math.radians(_ORIGIN_LAT))
    lon = _ORIGIN_LON + math.degrees(east / lon_scale) + rng.gauss(0.0, 2e-7)
    variance = 0.0004 if fix else 1e6
    return {
        "header": header(t_ns, "gnss_link"),
        "status": {"status": 2 if fix else -1, "service": 1 | 2 | 8},
        "latitude": lat,
        "longitude": lon,
        "altitude": 519.0 + rng.gauss(0.0, 0.02),
        "position_covariance": [variance, 0.0, 0.0, 0.0, variance, 0.0, 0.0, 0.0, 4 * variance],
        "position_covariance_type": 2,
    }


def can_frame(
    t_ns: int, index: int, motion: Motion, rng: random.Random, *, error: bool = False
) -> Msg:
    """A `can_msgs/Frame` from the vehicle bus: wheel speeds, steering, brake or gear.

    With `error` it is an error frame instead (bus error, error counters in the data).
    """
    if error:
        counters = struct.pack("<6xBB", rng.randint(96, 255), rng.randint(0, 127))
        return {
            "header": header(t_ns, "can0"),
            "id": _CAN_ERROR_ID,
            "is_rtr": False,
            "is_extended": True,
            "is_error": True,
            "dlc": 8,
            "data": counters,
        }
    can_id = _CAN_IDS[index % len(_CAN_IDS)]
    t_s = (t_ns - motion.origin_ns) / 1e9
    if can_id == 0x0C4:
        wheel = round(_SPEED_MPS * 100 + rng.gauss(0.0, 3.0))
        data = struct.pack("<4H", *(max(0, wheel + rng.randint(-2, 2)) for _ in range(4)))
    elif can_id == 0x1A0:
        angle = round(math.degrees(motion.yaw_rate(t_s)) * 150)
        data = struct.pack("<hHI", angle, index & 0xFFFF, 0)
    elif can_id == 0x2F0:
        data = struct.pack("<BB6x", rng.randint(0, 3), index & 0xFF)
    else:
        data = struct.pack("<BBH4x", 4, 0x44, round(_SPEED_MPS * 36))
    return {
        "header": header(t_ns, "can0"),
        "id": can_id,
        "is_rtr": False,
        "is_extended": False,
        "is_error": False,
        "dlc": 8,
        "data": data,
    }


@dataclass(frozen=True, slots=True)
class LogLine:
    """One `/rosout` record before encoding."""

    t_ns: int
    level: int
    node: str
    msg: str
    function: str
    line: int


def log(entry: LogLine) -> Msg:
    """An `rcl_interfaces/msg/Log` for `entry`."""
    return {
        "stamp": stamp(entry.t_ns),
        "level": entry.level,
        "name": entry.node,
        "msg": entry.msg,
        "file": f"/opt/vehicle/src/{entry.node}/src/{entry.node}_node.cpp",
        "function": entry.function,
        "line": entry.line,
    }


def diagnostic_array(t_ns: int, statuses: list[Msg]) -> Msg:
    """A `diagnostic_msgs/msg/DiagnosticArray` carrying `statuses`."""
    return {"header": header(t_ns, ""), "status": statuses}
