"""What the vehicle's nodes say on `/rosout` and report on `/diagnostics`, faults included."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from argus.loggen.faults import FaultWindow
from argus.loggen.messages import LogLine

if TYPE_CHECKING:
    from argus.loggen.effects import StatusOverride
    from argus.loggen.layout import StatusRow

DEBUG, INFO, WARN, ERROR, FATAL = 10, 20, 30, 40, 50
_SECOND = 1_000_000_000

# (node, level, template, function, line); templates are filled from a per-line RNG.
_CHATTER: tuple[tuple[str, int, str, str, int], ...] = (
    ("lidar_driver", DEBUG, "published scan {n} with {p} points", "publish_scan", 214),
    ("lidar_driver", INFO, "packet rate {r} pkt/s, 0 lost", "report_rate", 388),
    ("camera_driver", DEBUG, "frame {n} encoded in {ms} ms", "on_frame", 171),
    ("camera_driver", INFO, "auto exposure {us} us, gain {g} dB", "update_exposure", 402),
    ("imu_driver", DEBUG, "imu temperature {t} C", "poll_status", 96),
    ("gnss_driver", INFO, "fix with {s} satellites, hdop {h}", "on_fix", 133),
    ("can_bridge", DEBUG, "rx {n} frames, bus load {l} %", "report_load", 77),
    ("localization", INFO, "pose x={x} y={y} yaw={yaw}", "publish_pose", 252),
    ("localization", DEBUG, "ekf update took {ms} ms", "update", 198),
    ("planner", INFO, "planned trajectory: {n} points, horizon 8.0 s", "plan", 311),
    ("planner", DEBUG, "best candidate cost {c}", "score_candidates", 540),
    ("control", DEBUG, "steer cmd {a} rad, accel cmd {b} m/s^2", "step", 120),
    ("control", INFO, "mode AUTONOMOUS, tracking error {e} m", "report_state", 88),
)
_OCCASIONAL_WARNINGS: tuple[tuple[str, str, str, int], ...] = (
    ("localization", "pose covariance above threshold ({c} m^2)", "check_covariance", 280),
    ("can_bridge", "bus load high: {l} %", "report_load", 81),
    ("planner", "lane boundary confidence low ({c})", "plan", 330),
    ("camera_driver", "frame {n} arrived {ms} ms late", "on_frame", 190),
)
# What the scenario vehicle's extra nodes say when all is well: a node that only speaks when
# its fault is injected would give the fault away.
STACK_CHATTER: tuple[tuple[str, int, str, str, int], ...] = (
    ("power_monitor", INFO, "12 V rail nominal, load {l} %", "sample", 58),
    ("network_monitor", DEBUG, "switch0: 8/8 ports up, {r} pkt/s on uplink", "poll_links", 91),
    ("system_monitor", INFO, "cpu temperature {t} C, load {l} %", "check_cpu", 140),
    ("ptp_client", DEBUG, "offset from master {ms} ns, path delay {us} ns", "servo", 77),
    ("rosbag2_recorder", DEBUG, "wrote {n} messages, queue {l} % full", "write", 233),
    ("perception", DEBUG, "tracked {s} objects, fusion took {ms} ms", "fuse", 300),
    ("radar_driver", DEBUG, "scan {n}: {s} returns", "publish_scan", 150),
)
STACK_WARNINGS: tuple[tuple[str, str, str, int], ...] = (
    ("perception", "object {n} track lost, re-initialising", "track", 412),
    ("system_monitor", "cpu load {l} % on core 3", "check_cpu", 152),
    ("rosbag2_recorder", "message queue {l} % full", "write", 241),
    ("radar_driver", "scan {n} has {s} ghost targets", "publish_scan", 166),
)
_BURST_ERRORS = (
    "failed to compute trajectory: optimizer did not converge after {n} iterations",
    "no valid path found within time budget (100 ms)",
    "collision check failed for all {n} candidates",
)


def _fill(template: str, rng: random.Random) -> str:
    values = {
        "n": rng.randint(8, 9000),
        "p": rng.randint(55_000, 57_600),
        "r": rng.randint(1790, 1810),
        "ms": rng.randint(2, 40),
        "us": rng.randint(200, 4000),
        "g": round(rng.uniform(0.0, 12.0), 1),
        "t": round(rng.uniform(38.0, 45.0), 1),
        "s": rng.randint(11, 24),
        "h": round(rng.uniform(0.6, 1.4), 2),
        "l": rng.randint(30, 85),
        "x": round(rng.uniform(-500.0, 500.0), 2),
        "y": round(rng.uniform(-500.0, 500.0), 2),
        "yaw": round(rng.uniform(-3.14, 3.14), 3),
        "c": round(rng.uniform(0.1, 9.0), 3),
        "a": round(rng.uniform(-0.3, 0.3), 4),
        "b": round(rng.uniform(-1.5, 1.0), 3),
        "e": round(rng.uniform(0.0, 0.2), 3),
    }
    return template.format(**values)


def normal_chatter(
    start_ns: int,
    end_ns: int,
    rng: random.Random,
    *,
    nodes: Mapping[str, str] | None = None,
    warn_every_s: float = 30.0,
    stack: bool = False,
) -> Iterator[LogLine]:
    """INFO/DEBUG lines from every node, and now and then a harmless WARN, in time order.

    `nodes` renames the classic nodes (a vehicle whose lidar driver is `velodyne_driver`);
    `stack` adds the scenario vehicle's monitors, recorder, perception and radar.
    """
    names = nodes or {}
    chatter = _CHATTER + STACK_CHATTER if stack else _CHATTER
    warnings = _OCCASIONAL_WARNINGS + STACK_WARNINGS if stack else _OCCASIONAL_WARNINGS
    for second_ns in range(start_ns, end_ns, _SECOND):
        lines = []
        for _ in range(rng.randint(4, 9)):
            node, level, template, function, line = rng.choice(chatter)
            t_ns = second_ns + rng.randrange(_SECOND)
            text = _fill(template, rng)
            lines.append(LogLine(t_ns, level, names.get(node, node), text, function, line))
        if rng.random() < 1 / warn_every_s:
            node, template, function, line = rng.choice(warnings)
            t_ns = second_ns + rng.randrange(_SECOND)
            text = _fill(template, rng)
            lines.append(LogLine(t_ns, WARN, names.get(node, node), text, function, line))
        lines.sort(key=lambda entry: entry.t_ns)
        yield from (entry for entry in lines if entry.t_ns < end_ns)


def _dropout_lines(window: FaultWindow, what: str, downstream: str) -> list[LogLine]:
    node, span = window.spec.node, window.end_ns - window.start_ns
    ticks = range(window.start_ns + _SECOND, window.end_ns, _SECOND)
    times = list(ticks) or [window.start_ns + span // 2]
    lines = [
        LogLine(
            t,
            ERROR,
            node,
            f"no {what} received from sensor for {(t - window.start_ns) / 1e9:.1f} s",
            "watchdog",
            512,
        )
        for t in times
    ]
    warn_at = window.start_ns + min(span // 2, 600_000_000)
    lines.append(
        LogLine(
            warn_at,
            WARN,
            downstream,
            f"{window.spec.component} input timed out, continuing on remaining sensors",
            "check_inputs",
            143,
        )
    )
    lines.append(
        LogLine(
            window.end_ns + 50_000_000,
            INFO,
            node,
            f"sensor data resumed after {span / 1e9:.1f} s",
            "watchdog",
            530,
        )
    )
    return lines


def _burst_lines(window: FaultWindow, rng: random.Random) -> list[LogLine]:
    node = window.spec.node
    times = list(range(window.start_ns, window.end_ns, 100_000_000))
    lines = [
        LogLine(
            t + rng.randrange(20_000_000),
            ERROR,
            node,
            _fill(rng.choice(_BURST_ERRORS), rng),
            "plan",
            377,
        )
        for t in times[:-1]
    ]
    lines.append(
        LogLine(
            times[-1],
            FATAL,
            node,
            "planner watchdog expired, requesting safe stop",
            "on_watchdog",
            604,
        )
    )
    lines.append(
        LogLine(
            window.start_ns + 300_000_000,
            WARN,
            "control",
            "no trajectory received for 300 ms, holding last command",
            "step",
            131,
        )
    )
    return lines


def _periodic_warnings(window: FaultWindow, text: str, function: str) -> list[LogLine]:
    return [
        LogLine(t, WARN, window.spec.node, text, function, 240)
        for t in range(window.start_ns + 100_000_000, window.end_ns, 2 * _SECOND)
    ]


def fault_lines(windows: Sequence[FaultWindow], rng: random.Random) -> list[LogLine]:
    """The log lines every fault window adds, in time order."""
    lines: list[LogLine] = []
    for window in windows:
        name = window.spec.name
        if name == "lidar-dropout":
            lines += _dropout_lines(window, "packets", "localization")
        elif name == "camera-dropout":
            lines += _dropout_lines(window, "frames", "planner")
        elif name == "error-burst":
            lines += _burst_lines(window, rng)
        elif name == "diag-error":
            lines += _periodic_warnings(window, "no fix: waiting for satellites", "on_fix")
        elif name == "imu-stale":
            lines += _periodic_warnings(window, "device read timeout on /dev/ttyUSB1", "poll")
    lines.sort(key=lambda entry: entry.t_ns)
    return lines


def diagnostic_statuses(
    t_ns: int, rows: Sequence[StatusRow], overrides: Sequence[StatusOverride]
) -> list[dict[str, Any]]:
    """Every component's `DiagnosticStatus` at `t_ns`: OK unless an override covers it."""
    statuses = []
    for row in rows:
        level, message, value = 0, "OK", row.value
        for override in overrides:
            if override.name == row.name and override.window.active(t_ns):
                level, message, value = override.level, override.message, override.value
        statuses.append(
            {
                "level": level,
                "name": row.name,
                "message": message,
                "hardware_id": row.hardware_id,
                "values": [{"key": row.key, "value": value}],
            }
        )
    return statuses
