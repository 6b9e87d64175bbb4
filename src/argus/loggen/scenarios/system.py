"""Faults of the recording system itself: time synchronisation and the recorder's storage."""

from __future__ import annotations

from argus.loggen.chatter import ERROR, WARN
from argus.loggen.effects import Window
from argus.loggen.scenarios.context import DIAG_ERROR, DIAG_WARN, Ctx, since
from argus.loggen.scenarios.truth import ChainStep, RootCause

_MS = 1_000_000
_SECOND = 1_000_000_000
_PTP = "ptp_client"
_RECORDER = "rosbag2_recorder"


def all_topics(ctx: Ctx) -> tuple[str, ...]:
    """Every topic the vehicle records, `/rosout` included."""
    return (*(s.topic for s in ctx.layout.streams), "/rosout")


def time_sync_loss(ctx: Ctx) -> RootCause:
    """PTP loses its grandmaster, the clock drifts in holdover, then steps: log_time jumps."""
    lost = ctx.window(ctx.at(0.2, 0.35), 2.0, 5.0)
    offset = ctx.rng.randint(800, 40_000)
    message = ctx.phrase(("grandmaster lost", "PTP sync lost", "holdover, not synchronised"))
    status = ctx.status("time_sync", DIAG_WARN, message, f"{offset} us", lost)
    holdover = ctx.phrase(
        (
            "lost sync to grandmaster, holdover ({since:.0f} s)",
            "no PTP announce messages for {since:.1f} s",
            "clock unsynchronised for {since:.1f} s, offset drifting",
        )
    )
    ctx.every(lost, 1.0, WARN, _PTP, holdover, since(lost), "servo")
    jump_s = round(ctx.rng.uniform(1.5, 5.0) * ctx.rng.choice((1, -1)), 3)
    stepped = ctx.phrase(
        (
            "clock stepped by {j:+.3f} s",
            "resynchronised: time jump {j:+.3f} s",
            "servo reset, adjusted clock by {j:+.3f} s",
        )
    )
    ctx.say(lost.end_ns, WARN, _PTP, stepped.format(j=jump_s), "servo")
    before = ctx.seconds(lost.end_ns - 1)
    ctx.jump(lost.end_ns, round(jump_s * _SECOND))
    errors = ctx.window(ctx.after(lost.end_ns, 0.05, 0.3), 1.0, 2.5)
    direction = "past" if jump_s > 0 else "future"
    text = ctx.phrase(
        (
            "TF lookup failed: extrapolation into the {d} ({ms} ms)",
            "message stamps out of order, dropping {n} samples",
            "time jump detected, resetting filter (delta {ms} ms)",
        )
    )
    ctx.every(
        errors,
        0.2,
        ERROR,
        "localization",
        text,
        lambda t: {"d": direction, "ms": abs(round(jump_s * 1000)), "n": ctx.rng.randint(2, 40)},
        "update",
    )
    # The jump step runs from the clock's last reading before the jump to its first after.
    jump = ChainStep(
        "time_sync",
        f"clock jump of {jump_s:+.3f} s",
        before,
        ctx.seconds(lost.end_ns),
        topics=all_topics(ctx),
        topic_effect="clock-jump",
        nodes=(_PTP,),
    )
    chain = (
        ctx.step("time_sync", "PTP sync lost", lost, nodes=[_PTP], diagnostics=[status]),
        jump,
        ctx.step("localization", "timestamp errors after the jump", errors, nodes=["localization"]),
    )
    return RootCause("time_sync", "medium", "time synchronisation lost (clock jump)", chain)


def recorder_disk_full(ctx: Ctx) -> RootCause:
    """The recorder's disk fills up: it warns, then every topic is missing, then it reports loss."""
    full_at = ctx.at(0.35, 0.55)
    low = Window(full_at - round(ctx.rng.uniform(3.0, 6.0) * _SECOND), full_at)
    percent = ctx.rng.randint(1, 3)
    message = ctx.phrase(("disk almost full", "low free space", "storage nearly exhausted"))
    status = ctx.status("recorder", DIAG_WARN, message, f"{percent} %", low)
    template = ctx.phrase(
        (
            "free space on /data down to {p} %",
            "storage {p} % free, recording may stop",
            "low disk space: {mb} MB left",
        )
    )
    fill = lambda t: {"p": percent, "mb": ctx.rng.randint(40, 900)}  # noqa: E731
    ctx.every(low, 1.0, WARN, _RECORDER, template, fill, "check_storage")
    gap = ctx.window(full_at, 2.0, 5.0)
    topics = ctx.silence(all_topics(ctx), gap)
    dropped = ctx.rng.randint(800, 20_000)
    lost = ctx.phrase(
        (
            "failed to write {n} messages: No space left on device",
            "write error (ENOSPC), {n} messages dropped",
            "{n} messages lost while storage was full",
        )
    )
    after = Window(gap.end_ns + ctx.rng.randrange(20, 120) * _MS, gap.end_ns + 2 * _SECOND)
    ctx.say(after.start_ns, ERROR, _RECORDER, lost.format(n=dropped), "write")
    resumed = ctx.phrase(
        ("deleted oldest split to free space, recording resumed", "recording resumed")
    )
    ctx.say(after.start_ns + 5 * _MS, WARN, _RECORDER, resumed, "write")
    resumed_status = ctx.status("recorder", DIAG_ERROR, "messages dropped", f"{dropped}", after)
    chain = (
        ctx.step("recorder", "storage nearly full", low, nodes=[_RECORDER], diagnostics=[status]),
        ctx.step(
            "recorder",
            "recording stopped: every topic missing",
            gap,
            topics=topics,
            topic_effect="silent",
        ),
        ctx.step(
            "recorder",
            "recorder reports dropped messages",
            after,
            nodes=[_RECORDER],
            diagnostics=[resumed_status],
        ),
    )
    return RootCause("recorder", "medium", "recorder disk full (messages lost)", chain)
