"""The `argus` command line: the outermost layer, it only starts things.

`main` answers `argus parse` and the help pages itself (`cli/fast_path.py`, no typer) and hands
every other command to the typer app (`cli/typer_app.py`), imported only then (decision 0033).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argus.cli.typer_app import app

__all__ = ["app", "main"]


def main() -> None:
    """The `argus` console script."""
    from argus.cli.fast_path import answer

    code = answer(sys.argv[1:])
    if code is None:
        from argus.cli.typer_app import app

        app()
    elif code:
        raise SystemExit(code)


def __getattr__(name: str) -> object:
    if name == "app":  # the typer app, for tests and `argus` commands the fast path declines
        from argus.cli.typer_app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
