"""Which topics, rates, node names and diagnostic statuses a generated vehicle has.

`CLASSIC` is the fixed vehicle of `gen-logs` (its bytes must not change). Scenarios draw a
vehicle per seed with `vehicle_layout`: topic naming style, vendor node names and sensor rates
vary, so a rule that matches one topic or node name cannot win the scenario suite.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

_MS = 1_000_000


@dataclass(frozen=True, slots=True)
class Stream:
    """One periodic topic; `kind` picks the message builder and names the component."""

    topic: str
    datatype: str
    kind: str
    rate_hz: int
    phase_ns: int
    jitter_ns: int
    latency_ns: int = 0


@dataclass(frozen=True, slots=True)
class StatusRow:
    """One `DiagnosticStatus` of the 1 Hz `/diagnostics` array, OK unless overridden."""

    component: str
    name: str
    hardware_id: str
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class Layout:
    """A vehicle: its streams (in rank order), diagnostics, node names and chatter noise."""

    streams: tuple[Stream, ...]
    statuses: tuple[StatusRow, ...]
    nodes: dict[str, str]
    warn_every_s: float = 30.0
    # The scenario vehicle's extra nodes (monitors, recorder, perception) chatter too.
    stack: bool = False

    def stream(self, kind: str) -> Stream:
        """The stream of `kind` (e.g. "lidar")."""
        return next(s for s in self.streams if s.kind == kind)

    def topic(self, kind: str) -> str:
        return self.stream(kind).topic

    def status(self, component: str) -> StatusRow:
        """The diagnostic status row of `component`."""
        return next(row for row in self.statuses if row.component == component)

    def node(self, role: str) -> str:
        """The node name this vehicle uses for `role` (a classic node name)."""
        return self.nodes.get(role, role)


STATUSES = (
    StatusRow("lidar", "lidar: front_lidar", "lidar_front", "frequency", "10.0 Hz"),
    StatusRow("camera", "camera: front_camera", "camera_front", "frequency", "15.0 Hz"),
    StatusRow("imu", "imu: imu_main", "imu0", "frequency", "100.0 Hz"),
    StatusRow("gnss", "gnss: gnss_receiver", "gnss0", "fix", "RTK"),
    StatusRow("can", "can: can_bridge", "can0", "bus load", "41 %"),
    StatusRow("localization", "localization: ekf_localizer", "", "state", "tracking"),
    StatusRow("planner", "planner: trajectory_planner", "", "state", "nominal"),
    StatusRow("control", "control: vehicle_controller", "", "mode", "AUTONOMOUS"),
    # Components that publish no topic of their own (or only on the scenario vehicle): the
    # classic vehicle does not report them.
    StatusRow("radar", "radar: front_radar", "radar_front", "frequency", "20.0 Hz"),
    StatusRow("power", "power: pdu_main", "pdu0", "bus voltage", "13.8 V"),
    StatusRow("network", "network: eth_switch0", "switch0", "ports up", "8/8"),
    StatusRow("compute", "compute: main_ecu", "ecu0", "cpu temperature", "61 C"),
    StatusRow("time_sync", "time_sync: ptp_client", "ptp0", "offset", "0.4 us"),
    StatusRow("recorder", "recorder: rosbag2", "ssd0", "free space", "71 %"),
)
CLASSIC_STATUSES = STATUSES[:8]
DIAGNOSTICS = Stream(
    "/diagnostics", "diagnostic_msgs/msg/DiagnosticArray", "diagnostics", 1, 500 * _MS, 5 * _MS
)
CLASSIC = Layout(
    streams=(
        Stream(
            "/lidar/points",
            "sensor_msgs/msg/PointCloud2",
            "lidar",
            10,
            3 * _MS,
            1_500_000,
            12 * _MS,
        ),
        Stream(
            "/camera/front/image_raw/compressed",
            "sensor_msgs/msg/CompressedImage",
            "camera",
            15,
            11 * _MS,
            2 * _MS,
            25 * _MS,
        ),
        Stream("/imu/data", "sensor_msgs/msg/Imu", "imu", 100, 1 * _MS, 200_000),
        Stream("/gnss/fix", "sensor_msgs/msg/NavSatFix", "gnss", 10, 47 * _MS, 1 * _MS),
        Stream("/vehicle/can", "can_msgs/msg/Frame", "can", 100, 5 * _MS, 500_000),
        DIAGNOSTICS,
    ),
    statuses=CLASSIC_STATUSES,
    nodes={},
)

# Naming styles seen on real vehicles; every name still says which component it is.
_STYLES: tuple[dict[str, str], ...] = (
    {
        "lidar": "/lidar/points",
        "camera": "/camera/front/image_raw/compressed",
        "imu": "/imu/data",
        "gnss": "/gnss/fix",
        "can": "/vehicle/can",
        "radar": "/radar/front/scan",
        "pose": "/localization/pose",
        "trajectory": "/planning/trajectory",
    },
    {
        "lidar": "/sensing/lidar/top/points",
        "camera": "/sensing/camera/front/image_raw/compressed",
        "imu": "/sensing/imu/imu_data",
        "gnss": "/sensing/gnss/fix",
        "can": "/vehicle/canbus/rx",
        "radar": "/sensing/radar/front/scan",
        "pose": "/localization/pose_with_covariance",
        "trajectory": "/planning/scenario_planning/trajectory",
    },
    {
        "lidar": "/velodyne/points",
        "camera": "/cam_front/image_raw/compressed",
        "imu": "/xsens/imu/data",
        "gnss": "/gps/fix",
        "can": "/can0/rx",
        "radar": "/radar_front/tracks",
        "pose": "/localisation/ekf/pose",
        "trajectory": "/planning/local_trajectory",
    },
)
_NODE_STYLES: tuple[dict[str, str], ...] = (
    {},
    {
        "lidar_driver": "velodyne_driver",
        "camera_driver": "cam_front_node",
        "imu_driver": "imu_node",
    },
    {"lidar_driver": "hesai_lidar", "gnss_driver": "gps_node", "can_bridge": "canbus_bridge"},
)
# kind: datatype, rate choices (Hz), jitter (ns), receive latency (ns)
_KINDS: dict[str, tuple[str, tuple[int, ...], int, int]] = {
    "lidar": ("sensor_msgs/msg/PointCloud2", (10, 20), 1_500_000, 12 * _MS),
    "camera": ("sensor_msgs/msg/CompressedImage", (10, 15, 20, 30), 2 * _MS, 25 * _MS),
    "radar": ("radar_msgs/msg/RadarScan", (13, 20), 1 * _MS, 8 * _MS),
    "imu": ("sensor_msgs/msg/Imu", (100, 200), 200_000, 0),
    "gnss": ("sensor_msgs/msg/NavSatFix", (5, 10), 1 * _MS, 0),
    "can": ("can_msgs/msg/Frame", (50, 100), 500_000, 0),
    "pose": ("geometry_msgs/msg/PoseWithCovarianceStamped", (10, 20, 50), 500_000, 0),
    "trajectory": ("nav_msgs/msg/Path", (10,), 2 * _MS, 0),
}


def vehicle_layout(rng: random.Random) -> Layout:
    """A vehicle drawn from `rng`: naming style, node names, rates, jitter and WARN noise."""
    style = rng.choice(_STYLES)
    streams = []
    for kind, (datatype, rates, jitter_ns, latency_ns) in _KINDS.items():
        rate = rng.choice(rates)
        phase_ns = rng.randrange(1, 1_000 // rate) * _MS
        jitter = round(jitter_ns * rng.uniform(0.5, 3.0))
        streams.append(Stream(style[kind], datatype, kind, rate, phase_ns, jitter, latency_ns))
    streams.append(DIAGNOSTICS)
    return Layout(
        streams=tuple(streams),
        statuses=STATUSES,
        nodes=dict(rng.choice(_NODE_STYLES)),
        warn_every_s=rng.uniform(6.0, 30.0),
        stack=True,
    )
