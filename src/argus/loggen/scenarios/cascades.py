"""Faults whose loudest symptoms sit downstream of the root cause.

In each, the component that logs the most errors is not the one to blame: the sensors go
silent because of the power supply or the switch, the planner times out because the computer
throttles, control loses feedback because the CAN bus is off, localization diverges because
the GNSS fix is wrong.
"""

from __future__ import annotations

from argus.loggen.chatter import ERROR, WARN
from argus.loggen.effects import Window
from argus.loggen.scenarios.context import DIAG_ERROR, DIAG_WARN, Ctx
from argus.loggen.scenarios.sensors import sensor_silent
from argus.loggen.scenarios.truth import ChainStep, RootCause

_MS = 1_000_000
_ETHERNET_SENSORS = ("lidar", "camera", "radar")
_STARVED = (
    "no sensor input for {ms} ms, object list empty",
    "all perception inputs stale ({ms} ms), publishing no objects",
    "perception starved: 0 of 3 sensors delivering ({ms} ms)",
)


def _sensors_down(ctx: Ctx, start_ns: int) -> tuple[Window, list[ChainStep]]:
    """Every Ethernet sensor silent from `start_ns` (they come back at slightly different times)."""
    base = ctx.window(start_ns, 3.0, 6.0)
    steps, last_ns = [], base.end_ns
    for kind in _ETHERNET_SENSORS:
        end_ns = base.end_ns + ctx.rng.randrange(0, 400) * _MS
        steps.append(sensor_silent(ctx, kind, Window(base.start_ns, end_ns)))
        last_ns = max(last_ns, end_ns)
    return Window(base.start_ns, last_ns), steps


def _perception_starved(ctx: Ctx, down: Window) -> ChainStep:
    starved = Window(ctx.after(down.start_ns, 0.2, 0.6), down.end_ns)
    fill = lambda t: {"ms": round((t - down.start_ns) / _MS)}  # noqa: E731
    ctx.every(starved, 0.5, ERROR, "perception", ctx.phrase(_STARVED), fill, "fuse")
    return ctx.step("perception", "perception starved", starved, nodes=["perception"])


def power_brownout(ctx: Ctx) -> RootCause:
    """PDU under-voltage: lidar, camera and radar lose power together; perception starves."""
    dip = ctx.window(ctx.at(0.25, 0.45), 0.8, 2.0)
    volts = round(ctx.rng.uniform(8.4, 10.6), 1)
    status = ctx.status(
        "power",
        DIAG_ERROR,
        ctx.phrase(("under-voltage", "bus voltage low", "brown-out detected")),
        f"{volts} V",
        dip,
    )
    template = ctx.phrase(
        (
            "bus voltage dropped to {v} V (min 11.0 V)",
            "under-voltage on 12 V rail: {v} V",
            "PDU input {v} V below threshold",
        )
    )
    ctx.every(dip, 0.4, WARN, "power_monitor", template, lambda t: {"v": volts}, "sample")
    down, sensors = _sensors_down(ctx, ctx.after(dip.start_ns, 0.05, 0.3))
    root = ctx.step(
        "power", "PDU under-voltage", dip, nodes=["power_monitor"], diagnostics=[status]
    )
    chain = (root, *sensors, _perception_starved(ctx, down))
    return RootCause("power", "critical", "power brown-out (PDU under-voltage)", chain)


def switch_failure(ctx: Ctx) -> RootCause:
    """The Ethernet switch drops its ports: every Ethernet sensor silent, CAN and IMU fine."""
    fail_at = ctx.at(0.25, 0.45)
    down, sensors = _sensors_down(ctx, ctx.after(fail_at, 0.02, 0.2))
    outage = Window(fail_at, down.end_ns)
    ports = sorted(ctx.rng.sample(range(1, 9), 3))
    status = ctx.status(
        "network",
        DIAG_ERROR,
        ctx.phrase(("link down", "ports down", "switch not responding")),
        f"{8 - len(ports)}/8",
        outage,
    )
    template = ctx.phrase(
        (
            "link down on switch0 port {p}",
            "eth switch port {p}: carrier lost",
            "port {p} link state DOWN",
        )
    )
    for offset, port in enumerate(ports):
        ctx.say(
            fail_at + offset * 3 * _MS,
            ERROR,
            "network_monitor",
            template.format(p=port),
            "poll_links",
        )
    root = ctx.step(
        "network",
        "ethernet switch ports down",
        outage,
        nodes=["network_monitor"],
        diagnostics=[status],
    )
    chain = (root, *sensors, _perception_starved(ctx, down))
    return RootCause("network", "critical", "ethernet switch failure", chain)


def thermal_throttling(ctx: Ctx) -> RootCause:
    """The computer overheats and throttles: the planner slows, then misses its deadlines."""
    hot = ctx.window(ctx.at(0.2, 0.35), 7.0, 12.0, cap=0.45)
    temp = ctx.rng.randint(94, 104)
    status = ctx.status(
        "compute",
        DIAG_WARN,
        ctx.phrase(("cpu throttled", "temperature high", "thermal limit reached")),
        f"{temp} C",
        hot,
    )
    template = ctx.phrase(
        (
            "CPU temperature {t} C above 95 C, throttling to {f} GHz",
            "thermal throttling active: {t} C, clock {f} GHz",
            "package temp {t} C, frequency capped at {f} GHz",
        )
    )
    ctx.every(
        hot,
        1.5,
        WARN,
        "system_monitor",
        template,
        lambda t: {"t": temp + ctx.rng.randint(-1, 2), "f": round(ctx.rng.uniform(0.8, 1.6), 1)},
        "check_cpu",
    )
    slow = Window(ctx.after(hot.start_ns, 0.5, 1.5), hot.end_ns)
    topic = ctx.layout.topic("trajectory")
    ctx.throttle(topic, ctx.rng.randint(3, 5), slow)
    overrun = ctx.phrase(
        (
            "planning cycle took {ms} ms (budget 100 ms)",
            "cycle overrun: {ms} ms",
            "slow iteration: {ms} ms > 100 ms",
        )
    )
    ctx.every(
        slow, 1.0, WARN, "planner", overrun, lambda t: {"ms": ctx.rng.randint(180, 420)}, "plan"
    )
    late = ctx.window(ctx.after(slow.start_ns, 1.0, 2.5), 1.5, 3.0)
    timeout = ctx.phrase(
        (
            "trajectory not published within deadline ({ms} ms)",
            "planning timed out after {ms} ms",
            "deadline missed: no trajectory for {ms} ms",
        )
    )
    ctx.every(
        late,
        0.15,
        ERROR,
        "planner",
        timeout,
        lambda t: {"ms": ctx.rng.randint(250, 600)},
        "on_timer",
    )
    ctx.say(
        ctx.after(late.start_ns, 0.1, 0.4),
        WARN,
        "control",
        "no trajectory received for 300 ms, holding last command",
        "step",
    )
    chain = (
        ctx.step(
            "compute", "cpu thermal throttling", hot, nodes=["system_monitor"], diagnostics=[status]
        ),
        ctx.step(
            "planner",
            "planner rate drop",
            slow,
            topics=[topic],
            nodes=["planner"],
            topic_effect="slow",
        ),
        ctx.step("planner", "planner deadline timeouts", late, nodes=["planner", "control"]),
    )
    return RootCause("compute", "high", "thermal throttling of the main computer", chain)
