"""`component_of`: one name for the part of the vehicle a topic, node or status belongs to.

Topics, log nodes, diagnostic status names and hardware ids all name the same physical or
software component differently (`/lidar/points`, `lidar_driver`, `lidar: front_lidar`,
`lidar_front`). Correlating anomalies needs one key for all of them.
"""

from __future__ import annotations

import re

__all__ = ["UNKNOWN_COMPONENT", "component_of"]

UNKNOWN_COMPONENT = "unknown"

# Common component kinds on automated vehicles, with the vendor/short names that stand for them.
# General vocabulary, not a list of known faults: names outside it fall back to a cleaned form.
_ALIASES: dict[str, str] = {
    "lidar": "lidar",
    "lidars": "lidar",
    "velodyne": "lidar",
    "ouster": "lidar",
    "hesai": "lidar",
    "livox": "lidar",
    "camera": "camera",
    "cameras": "camera",
    "cam": "camera",
    "radar": "radar",
    "imu": "imu",
    "gnss": "gnss",
    "gps": "gnss",
    "ins": "gnss",
    "can": "can",
    "canbus": "can",
    "ultrasonic": "ultrasonic",
    "sonar": "ultrasonic",
    "odometry": "odometry",
    "localization": "localization",
    "localisation": "localization",
    "perception": "perception",
    "planner": "planner",
    "planning": "planner",
    "control": "control",
    "controller": "control",
}
# Words that say what role or where, not which component; dropped from unknown names.
_NOISE = frozenset(
    {
        "driver",
        "drivers",
        "node",
        "bridge",
        "front",
        "rear",
        "left",
        "right",
        "center",
        "centre",
        "top",
        "bottom",
        "raw",
        "data",
        "points",
        "compressed",
        "image",
        "status",
        "sensor",
        "sensors",
    }
)
_TOKEN = re.compile(r"[a-z0-9]+")


def component_of(name: str) -> str:
    """Normalise a topic, node, diagnostic status name or hardware id to a component name."""
    lowered = name.strip().lower()
    tokens = _TOKEN.findall(lowered)
    if not tokens:
        return UNKNOWN_COMPONENT
    for token in tokens:
        known = _ALIASES.get(token) or _ALIASES.get(token.rstrip("0123456789"))
        if known is not None:
            return known
    return _cleaned(lowered) or "_".join(tokens)


def _cleaned(lowered: str) -> str:
    """The first segment of a path or `a: b` name, without role and position words."""
    # Topics nest by "/" and diagnostic names by ":"; the head is the most specific owner.
    head = next((part for part in re.split(r"[/:]", lowered) if part.strip()), "")
    words = [w for w in _TOKEN.findall(head) if w not in _NOISE]
    return "_".join(words)
