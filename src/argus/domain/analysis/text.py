"""Small formatting helpers that keep evidence lines short and comparable."""

from __future__ import annotations

from argus.domain.analysis.rules import NS_PER_S

__all__ = ["plural", "seconds", "shorten"]


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(0, limit - 1)] + "…"


def seconds(duration_ns: int) -> float:
    """Nanoseconds as seconds, rounded to the millisecond for stable JSON."""
    return round(duration_ns / NS_PER_S, 3)


def plural(count: int, noun: str) -> str:
    """`1 message`, `3 messages`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
