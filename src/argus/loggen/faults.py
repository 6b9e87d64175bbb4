"""The catalogue of faults the generator can inject, and where they sit in a file."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """One kind of fault: the component a diagnosis should blame and how the fault shows."""

    name: str
    component: str
    node: str
    diagnostic_name: str
    hardware_id: str
    topic: str | None
    diagnostic_level: int
    diagnostic_message: str
    description: str
    default_duration_s: float


FAULTS: dict[str, FaultSpec] = {
    spec.name: spec
    for spec in (
        FaultSpec(
            name="lidar-dropout",
            component="lidar",
            node="lidar_driver",
            diagnostic_name="lidar: front_lidar",
            hardware_id="lidar_front",
            topic="/lidar/points",
            diagnostic_level=2,
            diagnostic_message="no data received from sensor",
            description="no /lidar/points for the window; lidar_driver ERROR logs; "
            "diagnostics ERROR for the front lidar",
            default_duration_s=4.0,
        ),
        FaultSpec(
            name="camera-dropout",
            component="camera",
            node="camera_driver",
            diagnostic_name="camera: front_camera",
            hardware_id="camera_front",
            topic="/camera/front/image_raw/compressed",
            diagnostic_level=2,
            diagnostic_message="no frames received from camera",
            description="no front camera images for the window; camera_driver ERROR logs; "
            "diagnostics ERROR for the front camera",
            default_duration_s=4.0,
        ),
        FaultSpec(
            name="error-burst",
            component="planner",
            node="planner",
            diagnostic_name="planner: trajectory_planner",
            hardware_id="",
            topic=None,
            diagnostic_level=1,
            diagnostic_message="repeated planning failures",
            description="a burst of planner ERROR logs ending in a FATAL; diagnostics WARN",
            default_duration_s=3.0,
        ),
        FaultSpec(
            name="diag-error",
            component="gnss",
            node="gnss_driver",
            diagnostic_name="gnss: gnss_receiver",
            hardware_id="gnss0",
            topic=None,
            diagnostic_level=2,
            diagnostic_message="no fix",
            description="the GNSS receiver stuck in diagnostics ERROR (no fix); gnss_driver WARN "
            "logs; NavSatFix status NO_FIX",
            default_duration_s=6.0,
        ),
        FaultSpec(
            name="imu-stale",
            component="imu",
            node="imu_driver",
            diagnostic_name="imu: imu_main",
            hardware_id="imu0",
            topic="/imu/data",
            diagnostic_level=3,
            diagnostic_message="no data received",
            description="no /imu/data for the window; diagnostics STALE for the IMU",
            default_duration_s=3.0,
        ),
    )
}

_FAULT_RE = re.compile(r"^(?P<name>[a-z0-9-]+)(?:@(?P<start>[0-9.]+)(?:\+(?P<dur>[0-9.]+))?)?$")


@dataclass(frozen=True, slots=True)
class Fault:
    """A fault to inject; `start_s` counts from the start of the file (or of the batch)."""

    name: str
    start_s: float | None = None
    duration_s: float | None = None

    @property
    def spec(self) -> FaultSpec:
        return FAULTS[self.name]


@dataclass(frozen=True, slots=True)
class FaultWindow:
    """A fault resolved to absolute nanosecond times: active on [start_ns, end_ns)."""

    spec: FaultSpec
    start_ns: int
    end_ns: int

    def active(self, t_ns: int) -> bool:
        return self.start_ns <= t_ns < self.end_ns


def parse_fault(text: str) -> Fault:
    """Parse `NAME`, `NAME@START_S` or `NAME@START_S+DURATION_S` (seconds from the start)."""
    match = _FAULT_RE.match(text.strip())
    if match is None:
        raise ValueError(f"bad fault {text!r}: expected NAME[@START_S[+DURATION_S]]")
    name = match["name"]
    if name not in FAULTS:
        raise ValueError(f"unknown fault {name!r}; known: {', '.join(sorted(FAULTS))}")
    start = None if match["start"] is None else float(match["start"])
    duration = None if match["dur"] is None else float(match["dur"])
    return Fault(name=name, start_s=start, duration_s=duration)


def resolve(fault: Fault, *, origin_ns: int, span_ns: int) -> FaultWindow:
    """Place `fault` in a recording that starts at `origin_ns` and lasts `span_ns`."""
    if fault.name not in FAULTS:
        raise ValueError(f"unknown fault {fault.name!r}; known: {', '.join(sorted(FAULTS))}")
    spec = FAULTS[fault.name]
    duration_s = spec.default_duration_s if fault.duration_s is None else fault.duration_s
    duration_ns = round(duration_s * 1e9)
    if fault.start_s is None:
        # Default placement: centred, so the fault has clean data on both sides.
        start_ns = origin_ns + max(0, (span_ns - duration_ns) // 2)
    else:
        start_ns = origin_ns + round(fault.start_s * 1e9)
    if duration_ns <= 0 or start_ns < origin_ns or start_ns >= origin_ns + span_ns:
        raise ValueError(f"fault {fault.name!r} does not fit in a {span_ns / 1e9:.1f} s recording")
    return FaultWindow(spec=spec, start_ns=start_ns, end_ns=start_ns + duration_ns)
