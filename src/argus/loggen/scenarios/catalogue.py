"""The labeled scenario suite: each scenario is a function of a seeded `Ctx` to root causes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from argus.loggen.scenarios import cascades, sensors, system, vehicle_state
from argus.loggen.scenarios.context import Ctx
from argus.loggen.scenarios.truth import RootCause

Build = Callable[[Ctx], tuple[RootCause, ...]]
Single = Callable[[Ctx, int], RootCause]

# Faults that can be placed anywhere: the single-fault scenarios, and `two-faults` draws from them.
_SINGLES: dict[str, Single] = {
    "lidar-dropout": sensors.dropout("lidar"),
    "camera-dropout": sensors.dropout("camera"),
    "imu-stale": sensors.imu_stale,
    "gnss-no-fix": sensors.gnss_no_fix,
    "planner-crash": sensors.planner_crash,
    "imu-saturation": sensors.imu_saturation,
}


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named scenario; `component` and `severity` are None when they vary per seed."""

    name: str
    component: str | None
    severity: str | None
    summary: str
    build: Build


def _single(name: str) -> Build:
    return lambda ctx: (_SINGLES[name](ctx, ctx.at(0.3, 0.5)),)


def _two_faults(ctx: Ctx) -> tuple[RootCause, ...]:
    # Independent faults of two different components: the same component twice is one fault.
    first = ctx.rng.choice(sorted(_SINGLES))
    component = SCENARIOS[first].component
    second = ctx.rng.choice(sorted(n for n in _SINGLES if SCENARIOS[n].component != component))
    return (_SINGLES[first](ctx, ctx.at(0.1, 0.25)), _SINGLES[second](ctx, ctx.at(0.55, 0.62)))


def _one(build: Callable[[Ctx], RootCause]) -> Build:
    return lambda ctx: (build(ctx),)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "lidar-dropout",
            "lidar",
            "high",
            "lidar silent; localization degraded",
            _single("lidar-dropout"),
        ),
        Scenario(
            "camera-dropout",
            "camera",
            "high",
            "camera silent; planner degraded",
            _single("camera-dropout"),
        ),
        Scenario(
            "imu-stale",
            "imu",
            "high",
            "imu driver hung: no samples, status STALE",
            _single("imu-stale"),
        ),
        Scenario(
            "gnss-no-fix",
            "gnss",
            "medium",
            "gnss fix lost; localization dead-reckons",
            _single("gnss-no-fix"),
        ),
        Scenario(
            "planner-crash",
            "planner",
            "high",
            "planner error burst, FATAL, restart; control holds",
            _single("planner-crash"),
        ),
        Scenario(
            "imu-saturation",
            "imu",
            "medium",
            "imu values clipped; localization rejects them",
            _single("imu-saturation"),
        ),
        Scenario(
            "power-brownout",
            "power",
            "critical",
            "PDU under-voltage; lidar, camera, radar silent; perception starved",
            _one(cascades.power_brownout),
        ),
        Scenario(
            "ethernet-switch-failure",
            "network",
            "critical",
            "switch ports down; every ethernet sensor silent",
            _one(cascades.switch_failure),
        ),
        Scenario(
            "thermal-throttling",
            "compute",
            "high",
            "cpu throttles; planner rate drops, then deadline timeouts",
            _one(cascades.thermal_throttling),
        ),
        Scenario(
            "can-bus-off",
            "can",
            "critical",
            "CAN error frames, bus-off; control loses feedback",
            _one(vehicle_state.can_bus_off),
        ),
        Scenario(
            "gnss-multipath",
            "gnss",
            "high",
            "gnss fix jumps; localization diverges",
            _one(vehicle_state.gnss_multipath),
        ),
        Scenario(
            "time-sync-loss",
            "time_sync",
            "medium",
            "PTP lost, clock jump in log_time; timestamp errors",
            _one(system.time_sync_loss),
        ),
        Scenario(
            "recorder-disk-full",
            "recorder",
            "medium",
            "recorder warns, every topic missing, messages dropped",
            _one(system.recorder_disk_full),
        ),
        Scenario(
            "healthy", "none", "info", "a clean drive with background noise only", lambda ctx: ()
        ),
        Scenario(
            "two-faults", None, None, "two independent single faults, drawn per seed", _two_faults
        ),
    )
}
