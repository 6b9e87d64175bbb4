"""`Ctx`: what a scenario draws its times and wording from, and where it records its effects.

A scenario calls `Ctx` to place windows in the batch, to make topics silent or slow, to set
diagnostic statuses, to log lines and to describe each step of the chain; `Ctx` turns that
into the writer's `Effects` and into `ChainStep`s with times from the batch start.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from argus.loggen.effects import (
    ClockJump,
    Effects,
    Flag,
    FlagWindow,
    Silence,
    StatusOverride,
    Throttle,
    Window,
)
from argus.loggen.layout import Layout
from argus.loggen.messages import LogLine
from argus.loggen.scenarios.truth import ChainStep

_SECOND = 1_000_000_000
# DiagnosticStatus levels.
DIAG_WARN, DIAG_ERROR, DIAG_STALE = 1, 2, 3

Fill = Callable[[int], dict[str, Any]]


class Ctx:
    """One scenario run: a seeded RNG, the vehicle layout, the batch span, the effects so far."""

    def __init__(
        self, *, name: str, seed: int, layout: Layout, origin_ns: int, span_ns: int
    ) -> None:
        self.rng = random.Random(f"scenario:{name}:{seed}")
        self.seed = seed
        self.layout = layout
        self.origin_ns = origin_ns
        self.span_ns = span_ns
        self._phrases = 0
        self._silences: list[Silence] = []
        self._throttles: list[Throttle] = []
        self._statuses: list[StatusOverride] = []
        self._lines: list[LogLine] = []
        self._flags: list[FlagWindow] = []
        self._jumps: list[ClockJump] = []

    # --- time ---------------------------------------------------------------------------

    def at(self, low: float, high: float) -> int:
        """A random instant between the fractions `low` and `high` of the batch."""
        return self.origin_ns + round(self.span_ns * self.rng.uniform(low, high))

    def after(self, t_ns: int, low_s: float, high_s: float) -> int:
        """A random instant `low_s`..`high_s` seconds after `t_ns`."""
        return t_ns + round(self.rng.uniform(low_s, high_s) * _SECOND)

    def window(self, start_ns: int, low_s: float, high_s: float, *, cap: float = 0.25) -> Window:
        """A window from `start_ns` lasting `low_s`..`high_s` s, at most `cap` of the batch.

        It ends a second before the batch does, so the recovery it leads to is recorded too.
        """
        duration_ns = round(self.rng.uniform(low_s, high_s) * _SECOND)
        end_ns = start_ns + min(duration_ns, round(cap * self.span_ns))
        return Window(start_ns, min(end_ns, self.origin_ns + self.span_ns - _SECOND))

    # --- wording ------------------------------------------------------------------------

    def phrase(self, templates: Sequence[str]) -> str:
        """One of `templates`; consecutive seeds always pick different ones."""
        self._phrases += 1
        return templates[(self.seed + self._phrases) % len(templates)]

    def say(self, t_ns: int, level: int, node: str, text: str, function: str = "run") -> None:
        """One log line from `node` at `t_ns`."""
        line = 100 + sum(map(ord, function)) % 800
        self._lines.append(LogLine(t_ns, level, node, text, function, line))

    def every(
        self,
        window: Window,
        period_s: float,
        level: int,
        node: str,
        template: str,
        fill: Fill,
        function: str = "run",
    ) -> None:
        """`template` filled by `fill(t_ns)` about every `period_s` inside `window`."""
        t_ns = window.start_ns + round(self.rng.uniform(0.05, 0.3) * period_s * _SECOND)
        while t_ns < window.end_ns:
            self.say(t_ns, level, node, template.format(**fill(t_ns)), function)
            t_ns += round(period_s * self.rng.uniform(0.8, 1.2) * _SECOND)

    # --- effects ------------------------------------------------------------------------

    def silence(self, topics: Iterable[str], window: Window) -> tuple[str, ...]:
        """No message on `topics` during `window`."""
        names = tuple(topics)
        self._silences.append(Silence(frozenset(names), window))
        return names

    def throttle(self, topic: str, keep_every: int, window: Window) -> None:
        self._throttles.append(Throttle(topic, keep_every, window))

    def status(self, component: str, level: int, message: str, value: str, window: Window) -> str:
        """Override `component`'s diagnostic status during `window`; returns the status name."""
        name = self.layout.status(component).name
        self._statuses.append(StatusOverride(name, level, message, value, window))
        return name

    def flag(self, flag: Flag, window: Window) -> None:
        self._flags.append(FlagWindow(flag, window))

    def jump(self, at_ns: int, jump_ns: int) -> None:
        self._jumps.append(ClockJump(at_ns, jump_ns))

    def effects(self) -> Effects:
        """Everything recorded so far."""
        return Effects(
            silences=tuple(self._silences),
            throttles=tuple(self._throttles),
            statuses=tuple(self._statuses),
            lines=tuple(self._lines),
            flags=tuple(self._flags),
            clock_jumps=tuple(self._jumps),
        )

    # --- ground truth -------------------------------------------------------------------

    def seconds(self, t_ns: int) -> float:
        """`t_ns` as recorded, in seconds from the batch start (ms precision)."""
        recorded = Effects(clock_jumps=tuple(self._jumps)).recorded_ns(t_ns)
        return round((recorded - self.origin_ns) / _SECOND, 3)

    def step(
        self,
        component: str,
        event: str,
        window: Window,
        *,
        topics: Iterable[str] = (),
        nodes: Iterable[str] = (),
        diagnostics: Iterable[str] = (),
        topic_effect: str | None = None,
    ) -> ChainStep:
        """A chain step over `window` and the topics, nodes and statuses where it shows."""
        return ChainStep(
            component=component,
            event=event,
            start_s=self.seconds(window.start_ns),
            # The window excludes its end: the last instant in it is what a jump leaves alone.
            end_s=self.seconds(window.end_ns - 1),
            topics=tuple(topics),
            nodes=tuple(nodes),
            diagnostics=tuple(diagnostics),
            topic_effect=topic_effect,
        )


def since(window: Window) -> Fill:
    """Fill `{since}` with the seconds since the window opened."""
    return lambda t_ns: {"since": (t_ns - window.start_ns) / _SECOND}
