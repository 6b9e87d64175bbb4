"""What the offline rules say about a suspected component: likely cause and what to check.

Wording only: `rule_diagnoser` picks the component and the severity, this module explains it.
"""

from __future__ import annotations

from collections.abc import Sequence

from argus.domain.analysis.anomaly import Anomaly, format_offset
from argus.domain.analysis.scoring import CHANNELS

__all__ = ["MAX_ACTIONS", "PERCEPTION", "STATE_SENSORS", "actions", "hypothesis", "when"]

PERCEPTION = frozenset({"lidar", "camera", "radar"})
STATE_SENSORS = frozenset({"imu", "gnss", "odometry", "can", "ultrasonic"})
MAX_ACTIONS = 5

# Where to look first when a sensor's data stops: its power and its data link.
_SENSOR_CHECKS = {
    "lidar": "Check the lidar's power supply, connector and ethernet link "
    "(link state and packet counters on the switch port)",
    "camera": "Check the camera's power, cable (GMSL/USB/ethernet) and capture-card status",
    "radar": "Check the radar's power and its CAN/ethernet connection",
    "imu": "Check the IMU's power, its serial/CAN connection and its mounting",
    "gnss": "Check the GNSS antenna, antenna cable and receiver status (satellites, fix type)",
    "can": "Check CAN wiring and termination and the interface's error counters (bus-off)",
}


def when(anomaly: Anomaly, origin: int | None) -> str:
    """` at HH:MM:SS.s` for an anomaly with a time, empty otherwise."""
    return "" if anomaly.start_ns is None else f" at {format_offset(anomaly.start_ns, origin)}"


def hypothesis(component: str, mine: Sequence[Anomaly]) -> str:
    """The most likely cause, given which kinds of signal point at the component."""
    kinds = {a.kind for a in mine}
    titles = " ".join(a.title for a in mine)
    stale = "diagnostic_error" in kinds and "STALE" in titles
    if "recording_gap" in kinds:
        return (
            "likely the recorder or its computer stalled (disk I/O, CPU load), since most "
            "topics stopped and resumed together; the sensors are not implicated"
        )
    if kinds == {"parse_failure"}:
        return (
            "likely a truncated or corrupted recording (recorder crash, power loss while "
            "writing, full storage) or a file damaged in transit"
        )
    if "sensor_dropout" in kinds:
        corroborated = len({CHANNELS.get(k, k) for k in kinds}) > 1
        return _dropout_hypothesis(component, stale=stale, corroborated=corroborated)
    if stale:
        return f"likely the {component} driver hung or crashed, so its status stopped updating"
    if "FATAL" in titles:
        if "error_burst" in kinds:
            return f"likely a repeating error condition in {component} that ended in a FATAL error"
        return f"likely {component} terminated after an unrecoverable error"
    if "error_burst" in kinds:
        return f"likely a software fault in {component} (a repeating error condition)"
    if "diagnostic_error" in kinds:
        return f"likely a persistent hardware or configuration fault that {component} reports"
    if "rate_degradation" in kinds:
        return "likely bandwidth or CPU saturation on the data path, or a degrading sensor"
    return "isolated errors that do not form a clear failure pattern"


def _dropout_hypothesis(component: str, *, stale: bool, corroborated: bool) -> str:
    if component not in PERCEPTION | STATE_SENSORS:
        return f"likely the node publishing {component} data stalled or crashed"
    if stale:
        return (
            f"likely the {component} driver hung or crashed, or the sensor lost power: "
            "its data and its status stopped together"
        )
    if corroborated:
        return f"likely loss of the {component}'s power or data link (cable, connector, network)"
    return f"likely the {component} driver stalled or crashed, or the sensor lost its link"


def actions(component: str, mine: Sequence[Anomaly], origin: int | None) -> tuple[str, ...]:
    """What to check, most important anomaly first, without repeats."""
    found: list[str] = []
    for anomaly in mine:
        for action in _actions_for(component, anomaly, origin):
            if action not in found:
                found.append(action)
    return tuple(found[:MAX_ACTIONS])


def _actions_for(component: str, anomaly: Anomaly, origin: int | None) -> list[str]:
    at = when(anomaly, origin) or " in this drive"
    link = _SENSOR_CHECKS.get(component)
    if anomaly.kind == "sensor_dropout":
        return [
            link or f"Check that the node publishing {component} data kept running (restarts, CPU)",
            f"Review the {component} driver logs and process restarts{at}",
        ]
    if anomaly.kind == "rate_degradation":
        return ["Check CPU load and network bandwidth on the sensor's data path", *_opt(link)]
    if anomaly.kind in ("error_burst", "error_logs"):
        first = [f"Find out why {component} terminated (exit code, core dump, restarts)"]
        return [
            *(first if "FATAL" in anomaly.title else []),
            f"Inspect the {component} logs{at} and replay this recording to reproduce",
        ]
    if anomaly.kind == "diagnostic_error":
        if "STALE" in anomaly.title:
            return [f"Check whether the {component} driver hung or crashed (watchdog, restarts)"]
        return [
            f"Read the full diagnostics history of {component} for the reported fault",
            *_opt(link),
        ]
    if anomaly.kind == "recording_gap":
        return [
            f"Check the recording computer's disk throughput, free space and CPU load{at}",
            "Check the recorder's logs for dropped messages or queue overflows",
        ]
    return [
        "Check the recorder's storage (free space, filesystem errors) and power during the drive",
        "Compare the uploaded file's checksum with the vehicle's copy and re-upload if they differ",
    ]


def _opt(value: str | None) -> list[str]:
    return [] if value is None else [value]
