"""How long the supervisor waits before restarting a parser worker that died.

A worker that dies at once again and again (a bad setting, a broken install, a server that
refuses it) was restarted every second for ever: a process start and a traceback in its log
per second per worker, on every core. Deaths soon after a start double the wait, up to
`max_s`; a worker that lived `healthy_after_s` starts the count again, so a single crash of a
worker that ran for hours is restarted after `first_s`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RestartBackoff:
    first_s: float = 1.0
    max_s: float = 60.0
    healthy_after_s: float = 30.0

    def next_delay(self, *, lived_s: float, previous_delay_s: float | None) -> float:
        """The wait before the next start of a worker that lived `lived_s` and was itself
        started after `previous_delay_s` (None: its first start)."""
        if previous_delay_s is None or lived_s >= self.healthy_after_s:
            return self.first_s
        return min(self.max_s, max(self.first_s, previous_delay_s * 2))
