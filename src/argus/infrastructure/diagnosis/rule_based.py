"""`RuleBasedDiagnoser`: an offline, explainable diagnosis from the Top-K anomalies.

The suspected component is the one with the highest summed anomaly score; the root cause joins
the titles of its anomalies and adds a hypothesis chosen by which kinds of signal agree. No
network, no model: the baseline the LLM diagnoser is compared against, and its fallback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from argus.application.gather.scoring import CHANNELS
from argus.domain.report import NO_COMPONENT, SEVERITIES, Anomaly, Diagnosis, format_offset

__all__ = ["ENGINE", "RuleBasedDiagnoser", "diagnose_offline"]

ENGINE = "offline-rules"
PERCEPTION = frozenset({"lidar", "camera", "radar"})
STATE_SENSORS = frozenset({"imu", "gnss", "odometry", "can", "ultrasonic"})
MAX_EVIDENCE = 6
MAX_ACTIONS = 5
_SECOND_NS = 1_000_000_000

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


class RuleBasedDiagnoser:
    """The `Diagnoser` port, answered by fixed rules (engine "offline-rules")."""

    engine = ENGINE

    async def diagnose(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: dict[str, Any],
        anomalies: Sequence[Anomaly],
    ) -> Diagnosis:
        """Diagnose one batch from its summary and Top-K anomalies."""
        return diagnose_offline(summary=summary, anomalies=anomalies)


def diagnose_offline(*, summary: dict[str, Any], anomalies: Sequence[Anomaly]) -> Diagnosis:
    """The rule-based diagnosis; pure, so the same input always gives the same output."""
    if not anomalies:
        return _clean(summary)
    totals: dict[str, float] = {}
    for anomaly in anomalies:
        totals[anomaly.component] = totals.get(anomaly.component, 0.0) + anomaly.score
    # Ties go to the component whose best anomaly ranks first.
    suspect = max(totals, key=lambda c: (totals[c], -_first_index(anomalies, c)))
    related = tuple(i for i, a in enumerate(anomalies) if a.component == suspect)
    mine = [anomalies[i] for i in related]
    origin = _origin(summary)
    share = totals[suspect] / sum(totals.values()) if sum(totals.values()) > 0 else 1.0
    channels = {CHANNELS.get(a.kind, a.kind) for a in mine}
    return Diagnosis(
        component=suspect,
        root_cause=_root_cause(suspect, mine, origin),
        severity=_severity(suspect, mine, len(channels)),
        confidence=round(min(0.95, 0.3 + 0.4 * share + 0.1 * (len(channels) - 1)), 2),
        evidence=_evidence(mine, anomalies, suspect, totals, origin),
        actions=_actions(suspect, mine, origin),
        engine=ENGINE,
        related_anomalies=related,
    )


def _first_index(anomalies: Sequence[Anomaly], component: str) -> int:
    return next(i for i, a in enumerate(anomalies) if a.component == component)


def _origin(summary: dict[str, Any]) -> int | None:
    start = _section(summary, "timeline").get("start_ns")
    return start if isinstance(start, int) else None


def _section(summary: dict[str, Any], key: str) -> dict[str, Any]:
    value = summary.get(key)
    return value if isinstance(value, dict) else {}


def _clean(summary: dict[str, Any]) -> Diagnosis:
    totals = _section(summary, "totals")
    timeline = _section(summary, "timeline")
    observed = (
        f"{totals.get('files', 0)} files, {totals.get('messages', 0)} messages "
        f"over {timeline.get('duration_s', 0.0)} s"
    )
    return Diagnosis(
        component=NO_COMPONENT,
        root_cause="Nothing abnormal was found: no sensor dropouts, rate drops, error bursts, "
        "diagnostics errors or parse failures in this batch.",
        severity="info",
        confidence=0.8,
        evidence=(f"{observed}; no anomaly passed the detection thresholds",),
        actions=("No action needed.",),
        engine=ENGINE,
        related_anomalies=(),
    )


def _when(anomaly: Anomaly, origin: int | None) -> str:
    return "" if anomaly.start_ns is None else f" at {format_offset(anomaly.start_ns, origin)}"


def _root_cause(component: str, mine: Sequence[Anomaly], origin: int | None) -> str:
    """What was seen (the lead anomaly, then up to two from other kinds) and why it likely was."""
    lead = mine[0]
    others: list[Anomaly] = []
    for a in mine[1:]:
        if a.kind != lead.kind and all(a.kind != o.kind for o in others) and len(others) < 2:
            others.append(a)
    observed = lead.title + _when(lead, origin)
    if others:
        observed += " while " + " and ".join(a.title for a in others)
    return f"{observed} — {_hypothesis(component, mine)}."


def _hypothesis(component: str, mine: Sequence[Anomaly]) -> str:
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


def _level(component: str, anomaly: Anomaly) -> int:
    """Severity index (into SEVERITIES) that one anomaly alone justifies."""
    duration_s = 0.0
    if anomaly.start_ns is not None and anomaly.end_ns is not None:
        duration_s = (anomaly.end_ns - anomaly.start_ns) / _SECOND_NS
    sensor = component in PERCEPTION | STATE_SENSORS
    fatal = "FATAL" in anomaly.title
    if anomaly.kind == "sensor_dropout":
        if component in PERCEPTION:
            return 4 if duration_s >= 10 else 3 if duration_s >= 2 else 2
        return 3 if sensor and duration_s >= 2 else 2
    if anomaly.kind in ("error_burst", "error_logs"):
        return 3 if fatal else 2 if anomaly.kind == "error_burst" else 1
    if anomaly.kind == "diagnostic_error":
        persistent = "STALE" in anomaly.title or duration_s >= 10
        return 3 if sensor and persistent else 2
    if anomaly.kind == "rate_degradation":
        return 2 if component in PERCEPTION else 1
    if anomaly.kind == "recording_gap":
        return 2
    # A failed or partly read file lost data; read errors alone may have lost none.
    lost = " could not be parsed" in anomaly.title or " was read only partly" in anomaly.title
    return 2 if lost else 1


def _severity(component: str, mine: Sequence[Anomaly], channels: int) -> str:
    """The worst single-anomaly level, one step up when three signal channels agree."""
    level = max(_level(component, a) for a in mine)
    if channels >= 3 and level >= 2:
        level += 1
    return SEVERITIES[min(level, len(SEVERITIES) - 1)]


def _evidence(
    mine: Sequence[Anomaly],
    anomalies: Sequence[Anomaly],
    suspect: str,
    totals: dict[str, float],
    origin: int | None,
) -> tuple[str, ...]:
    lines: list[str] = []
    for a in mine:
        lines.append(f"{a.kind} (score {a.score:.1f}): {a.title}{_when(a, origin)}")
        if a.evidence:
            lines.append(f"  {a.evidence[0].file}: {a.evidence[0].detail}")
    others = sorted((c for c in totals if c != suspect), key=lambda c: (-totals[c], c))
    lines = lines[: MAX_EVIDENCE - 1] if others else lines[:MAX_EVIDENCE]
    if others:
        listed = ", ".join(f"{c} ({totals[c]:.1f})" for c in others[:4])
        lines.append(f"other components with anomalies (summed score): {listed}")
    return tuple(lines)


def _actions(component: str, mine: Sequence[Anomaly], origin: int | None) -> tuple[str, ...]:
    actions: list[str] = []
    for anomaly in mine:
        for action in _actions_for(component, anomaly, origin):
            if action not in actions:
                actions.append(action)
    return tuple(actions[:MAX_ACTIONS])


def _actions_for(component: str, anomaly: Anomaly, origin: int | None) -> list[str]:
    when = _when(anomaly, origin) or " in this drive"
    link = _SENSOR_CHECKS.get(component)
    if anomaly.kind == "sensor_dropout":
        return [
            link or f"Check that the node publishing {component} data kept running (restarts, CPU)",
            f"Review the {component} driver logs and process restarts{when}",
        ]
    if anomaly.kind == "rate_degradation":
        return ["Check CPU load and network bandwidth on the sensor's data path", *_opt(link)]
    if anomaly.kind in ("error_burst", "error_logs"):
        first = [f"Find out why {component} terminated (exit code, core dump, restarts)"]
        return [
            *(first if "FATAL" in anomaly.title else []),
            f"Inspect the {component} logs{when} and replay this recording to reproduce",
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
            f"Check the recording computer's disk throughput, free space and CPU load{when}",
            "Check the recorder's logs for dropped messages or queue overflows",
        ]
    return [
        "Check the recorder's storage (free space, filesystem errors) and power during the drive",
        "Compare the uploaded file's checksum with the vehicle's copy and re-upload if they differ",
    ]


def _opt(value: str | None) -> list[str]:
    return [] if value is None else [value]
