"""A tiny in-memory `TemplateMiner` for tests that should not depend on drain3's clustering."""

from __future__ import annotations

from argus.domain.analysis import Template


class FakeTemplateMiner:
    """Every whitespace-separated token that holds a digit becomes `<*>`; the text is the id."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def add(self, message: str) -> str:
        template = " ".join(
            "<*>" if any(ch.isdigit() for ch in token) else token for token in message.split()
        )
        self._counts[template] = self._counts.get(template, 0) + 1
        return template

    def templates(self) -> list[Template]:
        ordered = sorted(self._counts.items(), key=lambda item: (-item[1], item[0]))
        return [Template(template_id=t, template=t, count=n) for t, n in ordered]
