"""The `argus` command line: the outermost layer, it only starts things."""

from argus.cli.app import app, main

__all__ = ["app", "main"]
