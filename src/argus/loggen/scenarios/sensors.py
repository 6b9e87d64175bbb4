"""Single faults of one sensor or node: the five classic faults and IMU saturation.

Each builder places its fault from `start_ns`, so `two-faults` can put two of them in one batch.
"""

from __future__ import annotations

from collections.abc import Callable

from argus.loggen.chatter import ERROR, FATAL, INFO, WARN
from argus.loggen.effects import Flag, Window
from argus.loggen.scenarios.context import DIAG_ERROR, DIAG_STALE, DIAG_WARN, Ctx, since
from argus.loggen.scenarios.truth import ChainStep, RootCause

_MS = 1_000_000
DRIVERS = {
    "lidar": "lidar_driver",
    "camera": "camera_driver",
    "radar": "radar_driver",
    "imu": "imu_driver",
    "gnss": "gnss_driver",
    "can": "can_bridge",
}
_WHAT = {"lidar": "packets", "camera": "frames", "radar": "scans", "imu": "samples"}
_NO_DATA = (
    "no {what} received from sensor for {since:.1f} s",
    "{what} timeout: last message {since:.1f} s ago",
    "watchdog: {what} stream stalled for {since:.1f} s",
    "sensor silent for {since:.1f} s, still waiting for {what}",
)
_NO_DATA_STATUS = (
    "no data received from sensor",
    "no data",
    "data timeout",
    "sensor not responding",
)
_RESUMED = (
    "sensor data resumed after {gap:.1f} s",
    "stream recovered ({gap:.1f} s outage)",
    "receiving {what} again after {gap:.1f} s",
)
_INPUT_LOST = (
    "{part} input timed out, continuing on remaining sensors",
    "missing {part} input for {ms} ms, running degraded",
    "{part} data stale, fusion continues without it",
)
CONSUMER = {"lidar": "localization", "camera": "planner", "radar": "planner", "imu": "localization"}


def sensor_silent(ctx: Ctx, kind: str, window: Window, *, level: int = DIAG_ERROR) -> ChainStep:
    """`kind`'s topic silent in `window`, its driver logging ERRORs, its status at `level`."""
    topic = ctx.layout.topic(kind)
    ctx.silence([topic], window)
    status = ctx.status(kind, level, ctx.phrase(_NO_DATA_STATUS), "n/a", window)
    node = ctx.layout.node(DRIVERS[kind])
    what = _WHAT.get(kind, "messages")
    template = ctx.phrase(_NO_DATA)
    fill = since(window)
    ctx.every(window, 1.0, ERROR, node, template, lambda t: {"what": what, **fill(t)}, "watchdog")
    gap = (window.end_ns - window.start_ns) / 1e9
    resumed = ctx.phrase(_RESUMED).format(gap=gap, what=what)
    ctx.say(window.end_ns + ctx.rng.randrange(20, 200) * _MS, INFO, node, resumed, "watchdog")
    return ctx.step(
        kind,
        f"{kind} data lost",
        window,
        topics=[topic],
        nodes=[node],
        diagnostics=[status],
        topic_effect="silent",
    )


def consumer_degraded(ctx: Ctx, kind: str, window: Window) -> ChainStep:
    """The node that fuses `kind` warns once that it runs without it."""
    consumer = CONSUMER[kind]
    t_ns = ctx.after(window.start_ns, 0.1, 0.6)
    text = ctx.phrase(_INPUT_LOST).format(part=kind, ms=round((t_ns - window.start_ns) / _MS))
    ctx.say(t_ns, WARN, consumer, text, "check_inputs")
    degraded = Window(t_ns, window.end_ns)
    return ctx.step(consumer, f"{consumer} running without {kind}", degraded, nodes=[consumer])


def dropout(kind: str, severity: str = "high") -> Callable[[Ctx, int], RootCause]:
    """A builder for a dropout of `kind` (lidar, camera)."""

    def build(ctx: Ctx, start_ns: int) -> RootCause:
        window = ctx.window(start_ns, 2.5, 6.0)
        chain = (sensor_silent(ctx, kind, window), consumer_degraded(ctx, kind, window))
        return RootCause(kind, severity, f"{kind} dropout (power or data link lost)", chain)

    return build


def imu_stale(ctx: Ctx, start_ns: int) -> RootCause:
    """The IMU driver hangs: no samples, status STALE, read timeouts every ~2 s."""
    window = ctx.window(start_ns, 2.5, 5.0)
    topic = ctx.silence([ctx.layout.topic("imu")], window)
    status = ctx.status("imu", DIAG_STALE, ctx.phrase(_NO_DATA_STATUS), "n/a", window)
    node = ctx.layout.node("imu_driver")
    device = ctx.rng.choice(("/dev/ttyUSB1", "/dev/ttyACM0", "can1"))
    template = ctx.phrase(
        (
            "device read timeout on {dev}",
            "read({dev}) timed out after {ms} ms",
            "{dev}: no response",
        )
    )
    fill = since(window)
    ctx.every(
        window, 2.0, WARN, node, template, lambda t: {"dev": device, "ms": 200, **fill(t)}, "poll"
    )
    chain = (
        ctx.step(
            "imu",
            "imu driver hung",
            window,
            topics=topic,
            nodes=[node],
            diagnostics=[status],
            topic_effect="silent",
        ),
        consumer_degraded(ctx, "imu", window),
    )
    return RootCause("imu", "high", "imu driver hung (stale data)", chain)


def gnss_no_fix(ctx: Ctx, start_ns: int) -> RootCause:
    """The receiver loses its fix (antenna, sky view): status ERROR, NO_FIX, driver WARNs."""
    window = ctx.window(start_ns, 4.0, 9.0)
    ctx.flag(Flag.GNSS_NO_FIX, window)
    message = ctx.phrase(("no fix", "fix lost", "no position solution"))
    status = ctx.status("gnss", DIAG_ERROR, message, f"{ctx.rng.randint(0, 3)} sv", window)
    node = ctx.layout.node("gnss_driver")
    template = ctx.phrase(
        (
            "no fix: waiting for satellites",
            "tracking {sv} satellites, no solution",
            "fix lost ({since:.0f} s)",
        )
    )
    fill = since(window)
    ctx.every(window, 2.0, WARN, node, template, lambda t: {"sv": ctx.rng.randint(0, 3), **fill(t)})
    t_ns = ctx.after(window.start_ns, 0.5, 1.5)
    ctx.say(t_ns, WARN, "localization", "gnss unavailable, dead reckoning on imu and odometry")
    chain = (
        ctx.step(
            "gnss",
            "gnss fix lost",
            window,
            topics=[ctx.layout.topic("gnss")],
            topic_effect="content",
            nodes=[node],
            diagnostics=[status],
        ),
        ctx.step(
            "localization", "dead reckoning", Window(t_ns, window.end_ns), nodes=["localization"]
        ),
    )
    return RootCause("gnss", "medium", "gnss receiver lost its fix", chain)


def planner_crash(ctx: Ctx, start_ns: int) -> RootCause:
    """The planner fails repeatedly, ends in FATAL and restarts: no trajectory meanwhile."""
    burst = ctx.window(start_ns, 2.0, 4.0)
    status = ctx.status(
        "planner",
        DIAG_WARN,
        ctx.phrase(("repeated planning failures", "planning degraded")),
        "failing",
        burst,
    )
    template = ctx.phrase(
        (
            "failed to compute trajectory: optimizer did not converge after {n} iterations",
            "no valid path found within time budget ({n} ms)",
            "collision check failed for all {n} candidates",
        )
    )
    ctx.every(
        burst, 0.1, ERROR, "planner", template, lambda t: {"n": ctx.rng.randint(20, 400)}, "plan"
    )
    ctx.say(
        burst.end_ns,
        FATAL,
        "planner",
        ctx.phrase(
            (
                "planner watchdog expired, requesting safe stop",
                "unrecoverable planning state, shutting down",
            )
        ),
        "on_watchdog",
    )
    down = ctx.window(burst.end_ns, 1.0, 3.0)
    topic = ctx.silence([ctx.layout.topic("trajectory")], down)
    held = ctx.after(down.start_ns, 0.2, 0.5)
    ctx.say(
        held,
        WARN,
        "control",
        ctx.phrase(
            (
                "no trajectory received for {ms} ms, holding last command",
                "trajectory timeout ({ms} ms), holding",
            )
        ).format(ms=round((held - down.start_ns) / 1e6)),
        "step",
    )
    chain = (
        ctx.step(
            "planner",
            "planner error burst ending in FATAL",
            burst,
            nodes=["planner"],
            diagnostics=[status],
        ),
        ctx.step(
            "planner", "planner down: no trajectory", down, topics=topic, topic_effect="silent"
        ),
        ctx.step(
            "control", "control holding last command", Window(held, down.end_ns), nodes=["control"]
        ),
    )
    return RootCause(
        "planner", "high", "planner software fault (crash after repeated failures)", chain
    )


def imu_saturation(ctx: Ctx, start_ns: int) -> RootCause:
    """Accelerometer and gyro clipped at their range limits; localization rejects IMU samples."""
    window = ctx.window(start_ns, 2.0, 5.0)
    ctx.flag(Flag.IMU_CLIPPED, window)
    status = ctx.status(
        "imu",
        DIAG_WARN,
        ctx.phrase(("accelerometer saturated", "measurement range exceeded", "samples clipped")),
        "16 g",
        window,
    )
    node = ctx.layout.node("imu_driver")
    template = ctx.phrase(
        (
            "sample clipped at +-16 g on axis {axis}",
            "accel {axis} at full scale, data clipped",
            "range limit hit on {axis} ({n} samples)",
        )
    )
    ctx.every(
        window,
        0.5,
        WARN,
        node,
        template,
        lambda t: {"axis": ctx.rng.choice("xyz"), "n": ctx.rng.randint(5, 60)},
    )
    reject = ctx.window(ctx.after(window.start_ns, 0.3, 0.8), 1.0, 3.0)
    template = ctx.phrase(
        (
            "imu innovation {c} exceeds gate, sample rejected",
            "ekf rejected imu update (mahalanobis {c})",
            "filter reset: imu residual {c} too large",
        )
    )
    ctx.every(
        reject,
        0.25,
        ERROR,
        "localization",
        template,
        lambda t: {"c": round(ctx.rng.uniform(12.0, 80.0), 1)},
        "update",
    )
    chain = (
        ctx.step(
            "imu",
            "imu measurements clipped",
            window,
            topics=[ctx.layout.topic("imu")],
            topic_effect="content",
            nodes=[node],
            diagnostics=[status],
        ),
        ctx.step(
            "localization", "localization rejects imu updates", reject, nodes=["localization"]
        ),
    )
    return RootCause("imu", "medium", "imu saturation (values clipped at the range limit)", chain)
