"""What the writer injects into a recording, as plain data on absolute nanosecond times.

Faults (`--fault`) and scenarios both reduce to these few effects, so the writer knows one
vocabulary: silences, throttled rates, diagnostic status overrides, extra log lines, flags that
change a sensor's content (error frames, clipping, no fix, multipath) and clock jumps.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from argus.loggen.messages import LogLine


@dataclass(frozen=True, slots=True)
class Window:
    """Active on [start_ns, end_ns)."""

    start_ns: int
    end_ns: int

    def active(self, t_ns: int) -> bool:
        return self.start_ns <= t_ns < self.end_ns


@dataclass(frozen=True, slots=True)
class Silence:
    """No message at all on `topics` during the window."""

    topics: frozenset[str]
    window: Window


@dataclass(frozen=True, slots=True)
class Throttle:
    """Only one message in `keep_every` of `topic`'s clock ticks is published in the window."""

    topic: str
    keep_every: int
    window: Window


@dataclass(frozen=True, slots=True)
class StatusOverride:
    """The diagnostic status `name` reports `level` and `message` during the window."""

    name: str
    level: int
    message: str
    value: str
    window: Window


class Flag(StrEnum):
    """Content changes of one sensor stream while a flag window is active."""

    CAN_ERROR_FRAMES = "can-error-frames"
    GNSS_NO_FIX = "gnss-no-fix"
    GNSS_MULTIPATH = "gnss-multipath"
    IMU_CLIPPED = "imu-clipped"


@dataclass(frozen=True, slots=True)
class FlagWindow:
    flag: Flag
    window: Window


@dataclass(frozen=True, slots=True)
class ClockJump:
    """From true time `at_ns` on, the recording clock reads `jump_ns` more (or less)."""

    at_ns: int
    jump_ns: int


@dataclass(frozen=True, slots=True)
class Effects:
    """Everything injected into one recording; empty means a clean drive."""

    silences: tuple[Silence, ...] = ()
    throttles: tuple[Throttle, ...] = ()
    statuses: tuple[StatusOverride, ...] = ()
    lines: tuple[LogLine, ...] = ()
    flags: tuple[FlagWindow, ...] = ()
    clock_jumps: tuple[ClockJump, ...] = ()

    def __add__(self, other: Effects) -> Effects:
        return Effects(
            silences=self.silences + other.silences,
            throttles=self.throttles + other.throttles,
            statuses=self.statuses + other.statuses,
            lines=self.lines + other.lines,
            flags=self.flags + other.flags,
            clock_jumps=self.clock_jumps + other.clock_jumps,
        )

    def flagged(self, flag: Flag, t_ns: int) -> bool:
        """Whether `flag` is active at `t_ns`."""
        return any(f.flag is flag and f.window.active(t_ns) for f in self.flags)

    def recorded_ns(self, t_ns: int) -> int:
        """The recording clock's reading at true time `t_ns`."""
        return t_ns + sum(j.jump_ns for j in self.clock_jumps if t_ns >= j.at_ns)
