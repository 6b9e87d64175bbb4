"""Drive logs written with the upstream `mcap_ros2` writer alone, independent of `argus.loggen`.

Its own topics, nodes, message types, status names and wording (none of them appear in
`src/argus/loggen`), so a test built on it checks that the rules generalise beyond the
generator they were developed with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcap_ros2.writer import Writer

S = 1_000_000_000
T0 = 1_781_234_567 * S
INFO, WARN, ERROR, FATAL = 20, 30, 40, 50
OK, DIAG_WARN, DIAG_ERROR, DIAG_STALE = 0, 1, 2, 3

_TIME = "int32 sec\nuint32 nanosec\n"
_SEP = "=" * 80 + "\n"
FRAME_DEF = (
    "builtin_interfaces/Time stamp\nuint32 seq\nfloat32[] values\n"
    f"{_SEP}MSG: builtin_interfaces/Time\n{_TIME}"
)
LOG_DEF = (
    "builtin_interfaces/Time stamp\nuint8 level\nstring name\nstring msg\nstring file\n"
    f"string function\nuint32 line\n{_SEP}MSG: builtin_interfaces/Time\n{_TIME}"
)
DIAG_DEF = (
    "std_msgs/Header header\ndiagnostic_msgs/DiagnosticStatus[] status\n"
    f"{_SEP}MSG: std_msgs/Header\nbuiltin_interfaces/Time stamp\nstring frame_id\n"
    f"{_SEP}MSG: builtin_interfaces/Time\n{_TIME}"
    f"{_SEP}MSG: diagnostic_msgs/DiagnosticStatus\nbyte level\nstring name\nstring message\n"
    "string hardware_id\ndiagnostic_msgs/KeyValue[] values\n"
    f"{_SEP}MSG: diagnostic_msgs/KeyValue\nstring key\nstring value\n"
)

# topic -> rate in Hz: a corner radar, wheel odometry, an inertial unit, a GPS receiver.
STREAMS = {
    "/ext/srr_fl/radar_targets": 18.0,
    "/chassis/odometry/wheel_twist": 40.0,
    "/body/imu_mt/accel_gyro": 100.0,
    "/pos/gps_mosaic/pvt": 5.0,
}
STATUS_TOPIC, LOG_TOPIC = "/health/status_array", "/logs/all"
# status name -> hardware id; every status is OK unless a fault overrides it.
STATUSES = {
    "radar: srr_fl": "srr520_fl",
    "odometry: wheel_estimator": "wheel_ecu",
    "gps: mosaic_x5": "mosaic_x5",
    "imu: mt680": "mt680",
    "pdu: rail_12v": "pdu_main",
}


@dataclass
class Drive:
    """`files` consecutive files of `file_s` seconds each; faults add silences, logs, statuses."""

    files: int = 2
    file_s: float = 30.0
    silent: dict[str, tuple[float, float]] = field(default_factory=dict)
    logs: list[tuple[float, int, str, str]] = field(default_factory=list)
    statuses: list[tuple[float, float, str, int, str]] = field(default_factory=list)

    def log(self, t_s: float, level: int, node: str, text: str) -> Drive:
        self.logs.append((t_s, level, node, text))
        return self

    def every(
        self, start_s: float, end_s: float, period_s: float, level: int, node: str, text: str
    ) -> Drive:
        """`text` (formatted with `n`, the repetition, and `t`, seconds) every `period_s`."""
        n, t = 0, start_s
        while t < end_s:
            self.log(t, level, node, text.format(n=n, t=t))
            n, t = n + 1, start_s + (n + 1) * period_s
        return self

    def status(self, start_s: float, end_s: float, name: str, level: int, text: str) -> Drive:
        self.statuses.append((start_s, end_s, name, level, text))
        return self

    def write(self, out: Path) -> list[Path]:
        """The drive as `files` MCAP files under `out`, in time order."""
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for index in range(self.files):
            path = out / f"rec_{index:03d}.mcap"
            self._write_file(path, index * self.file_s, (index + 1) * self.file_s)
            paths.append(path)
        return paths

    def _write_file(self, path: Path, start_s: float, end_s: float) -> None:
        with open(path, "wb") as stream:
            writer = Writer(stream)
            frame = writer.register_msgdef("fleetlab_msgs/msg/SensorFrame", FRAME_DEF)
            log = writer.register_msgdef("rcl_interfaces/msg/Log", LOG_DEF)
            diag = writer.register_msgdef("diagnostic_msgs/msg/DiagnosticArray", DIAG_DEF)
            rows = [*self._frames(start_s, end_s), *self._diagnostics(start_s, end_s)]
            logs = [row for row in self.logs if start_s <= row[0] < end_s]
            rows += [(t, LOG_TOPIC, _log(t, level, node, text)) for t, level, node, text in logs]
            rows.sort(key=lambda row: (row[0], row[1]))
            schemas = {LOG_TOPIC: log, STATUS_TOPIC: diag}
            for seq, (t_s, topic, message) in enumerate(rows):
                t_ns = T0 + round(t_s * S)
                writer.write_message(topic, schemas.get(topic, frame), message, t_ns, t_ns, seq)
            writer.finish()

    def _frames(self, start_s: float, end_s: float) -> list[tuple[float, str, dict[str, Any]]]:
        rows = []
        for topic, hz in STREAMS.items():
            gap = self.silent.get(topic, (-1.0, -1.0))
            for k in range(round(start_s * hz), round(end_s * hz)):
                t = k / hz
                if not gap[0] <= t < gap[1]:
                    rows.append((t, topic, {"stamp": _stamp(t), "seq": k, "values": [0.5, 1.5]}))
        return rows

    def _diagnostics(self, start_s: float, end_s: float) -> list[tuple[float, str, dict[str, Any]]]:
        rows = []
        for second in range(int(start_s), int(end_s)):
            t = second + 0.5
            statuses = []
            for name, hardware in STATUSES.items():
                level, text = OK, "nominal"
                for low, high, faulty, fault_level, fault_text in self.statuses:
                    if faulty == name and low <= t < high:
                        level, text = fault_level, fault_text
                statuses.append(
                    {
                        "level": level,
                        "name": name,
                        "message": text,
                        "hardware_id": hardware,
                        "values": [],
                    }
                )
            header = {"stamp": _stamp(t), "frame_id": "health"}
            rows.append((t, STATUS_TOPIC, {"header": header, "status": statuses}))
        return rows


def _stamp(t_s: float) -> dict[str, int]:
    t_ns = T0 + round(t_s * S)
    return {"sec": t_ns // S, "nanosec": t_ns % S}


def _log(t_s: float, level: int, node: str, text: str) -> dict[str, Any]:
    return {
        "stamp": _stamp(t_s),
        "level": level,
        "name": node,
        "msg": text,
        "file": "main.cc",
        "function": "spin",
        "line": 88,
    }


def background(drive: Drive) -> Drive:
    """What a healthy drive logs: a supervisor's periodic INFO lines."""
    end = drive.files * drive.file_s
    return drive.every(1.0, end, 4.0, INFO, "fleet_supervisor", "heartbeat ok, uptime {t:.0f} s")
