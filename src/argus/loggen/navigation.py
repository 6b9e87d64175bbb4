"""Messages of the autonomy stack (pose, planned path) and of a radar, for the scenario vehicle.

The parsers only count these topics, so the content is plausible rather than rich: it follows
the same closed-form path as the IMU and GNSS samples.
"""

from __future__ import annotations

import math
import random

from argus.loggen.messages import Motion, Msg, header

_POSE_VARIANCE = 0.05
_PATH_POINTS = 8
_PATH_STEP_S = 1.0


def _pose_at(motion: Motion, t_s: float) -> Msg:
    x, y = motion.position(t_s)
    yaw = motion.heading(t_s)
    return {
        "position": {"x": x, "y": y, "z": 0.0},
        "orientation": {"x": 0.0, "y": 0.0, "z": math.sin(yaw / 2), "w": math.cos(yaw / 2)},
    }


def pose(t_ns: int, motion: Motion, rng: random.Random) -> Msg:
    """A `geometry_msgs/PoseWithCovarianceStamped` from the localizer, with estimate noise."""
    estimate = _pose_at(motion, (t_ns - motion.origin_ns) / 1e9)
    estimate["position"]["x"] += rng.gauss(0.0, 0.02)
    estimate["position"]["y"] += rng.gauss(0.0, 0.02)
    covariance = [0.0] * 36
    for i in range(6):
        covariance[i * 7] = _POSE_VARIANCE
    return {
        "header": header(t_ns, "map"),
        "pose": {"pose": estimate, "covariance": covariance},
    }


def path(t_ns: int, motion: Motion) -> Msg:
    """A `nav_msgs/Path`: the planned poses over the next few seconds."""
    t_s = (t_ns - motion.origin_ns) / 1e9
    poses = [
        {
            "header": header(t_ns + round(i * _PATH_STEP_S * 1e9), "map"),
            "pose": _pose_at(motion, t_s + i * _PATH_STEP_S),
        }
        for i in range(_PATH_POINTS)
    ]
    return {"header": header(t_ns, "map"), "poses": poses}


def radar_scan(t_ns: int, rng: random.Random) -> Msg:
    """A `radar_msgs/RadarScan` with a handful of returns."""
    returns = [
        {
            "range": rng.uniform(2.0, 120.0),
            "azimuth": rng.uniform(-0.6, 0.6),
            "elevation": rng.uniform(-0.05, 0.05),
            "doppler_velocity": rng.gauss(0.0, 4.0),
            "amplitude": rng.uniform(-10.0, 30.0),
        }
        for _ in range(rng.randint(4, 24))
    ]
    return {"header": header(t_ns, "radar_front"), "returns": returns}
