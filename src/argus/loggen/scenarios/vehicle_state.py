"""Cascades from the vehicle's state sensors: a CAN bus-off, GNSS multipath.

The loudest symptom is downstream: control logs the errors when the CAN bus is off, and
localization when a multipath fix pulls the filter away.
"""

from __future__ import annotations

from argus.loggen.chatter import ERROR, WARN
from argus.loggen.effects import Flag, Window
from argus.loggen.scenarios.context import DIAG_ERROR, DIAG_WARN, Ctx, since
from argus.loggen.scenarios.truth import RootCause

_MS = 1_000_000


def can_bus_off(ctx: Ctx) -> RootCause:
    """CAN error frames pile up until the controller goes bus-off; control loses feedback."""
    errors = ctx.window(ctx.at(0.25, 0.4), 1.5, 3.5)
    ctx.flag(Flag.CAN_ERROR_FRAMES, errors)
    bridge = ctx.layout.node("can_bridge")
    warn = ctx.phrase(
        (
            "CAN error counters rising: tx {tx} rx {rx}",
            "bus errors detected (tec={tx}, rec={rx})",
            "error-passive: tx errors {tx}",
        )
    )
    ctx.every(
        errors,
        0.5,
        WARN,
        bridge,
        warn,
        lambda t: {"tx": ctx.rng.randint(96, 250), "rx": ctx.rng.randint(0, 127)},
        "read_frames",
    )
    off = ctx.window(errors.end_ns, 2.0, 5.0)
    topic = ctx.layout.topic("can")
    ctx.silence([topic], off)
    message = ctx.phrase(("bus-off", "controller bus-off", "CAN bus off"))
    status = ctx.status("can", DIAG_ERROR, message, "bus-off", off)
    ctx.say(
        off.start_ns + 2 * _MS,
        ERROR,
        bridge,
        ctx.phrase(
            (
                "controller entered bus-off state, restarting",
                "can0: bus-off, restart in 100 ms",
                "bus-off detected, reinitialising interface",
            )
        ),
        "on_state",
    )
    lost = Window(ctx.after(off.start_ns, 0.1, 0.3), off.end_ns)
    fill = since(lost)
    ctx.every(
        lost,
        0.2,
        ERROR,
        "control",
        ctx.phrase(
            (
                "no vehicle feedback for {since:.1f} s",
                "wheel speed and steering feedback missing ({since:.1f} s)",
                "vehicle interface timeout: {since:.1f} s",
            )
        ),
        fill,
        "step",
    )
    chain = (
        ctx.step(
            "can",
            "CAN error frames",
            errors,
            topics=[topic],
            nodes=[bridge],
            topic_effect="content",
        ),
        ctx.step(
            "can",
            "CAN bus-off",
            off,
            topics=[topic],
            nodes=[bridge],
            diagnostics=[status],
            topic_effect="silent",
        ),
        ctx.step("control", "control lost vehicle feedback", lost, nodes=["control"]),
    )
    return RootCause("can", "critical", "CAN bus errors ending in bus-off", chain)


def gnss_multipath(ctx: Ctx) -> RootCause:
    """Multipath makes the GNSS fix jump while it still claims a fix; localization diverges."""
    bad = ctx.window(ctx.at(0.2, 0.4), 5.0, 10.0, cap=0.4)
    ctx.flag(Flag.GNSS_MULTIPATH, bad)
    status = ctx.status(
        "gnss",
        DIAG_WARN,
        ctx.phrase(("multipath suspected", "position jumps detected", "low solution quality")),
        f"hdop {round(ctx.rng.uniform(2.5, 6.0), 1)}",
        bad,
    )
    node = ctx.layout.node("gnss_driver")
    jump = ctx.phrase(
        (
            "position jumped {d} m between fixes",
            "fix residual {d} m, multipath likely",
            "pseudorange residuals high, {d} m jump",
        )
    )
    ctx.every(
        bad, 1.5, WARN, node, jump, lambda t: {"d": round(ctx.rng.uniform(2.0, 9.0), 1)}, "on_fix"
    )
    div = Window(ctx.after(bad.start_ns, 1.0, 2.5), bad.end_ns)
    loc_status = ctx.status(
        "localization",
        DIAG_ERROR,
        ctx.phrase(("pose diverged", "localization lost", "filter diverged")),
        "lost",
        div,
    )
    text = ctx.phrase(
        (
            "pose divergence: gnss vs lidar residual {d} m",
            "ekf diverged, position error {d} m",
            "localization unreliable: residual {d} m",
        )
    )
    ctx.every(
        div,
        0.3,
        ERROR,
        "localization",
        text,
        lambda t: {"d": round(ctx.rng.uniform(3.0, 15.0), 1)},
        "update",
    )
    limit = ctx.after(div.start_ns, 0.2, 0.6)
    ctx.say(limit, WARN, "planner", "localization unreliable, limiting speed to 10 km/h", "plan")
    chain = (
        ctx.step(
            "gnss",
            "gnss multipath",
            bad,
            topics=[ctx.layout.topic("gnss")],
            topic_effect="content",
            nodes=[node],
            diagnostics=[status],
        ),
        ctx.step(
            "localization",
            "localization divergence",
            div,
            nodes=["localization"],
            diagnostics=[loc_status],
        ),
        ctx.step("planner", "planner limits speed", Window(limit, div.end_ns), nodes=["planner"]),
    )
    return RootCause("gnss", "high", "gnss multipath leading to localization divergence", chain)
