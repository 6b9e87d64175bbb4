"""Parser engines that turn a drive log into a `ParsedFile` summary.

Each engine is imported on first use: `argus parse` with the native engine does not load the
Python reference's `mcap` reader.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argus.infrastructure.parsing.native import NativeMcapParser, native_available
    from argus.infrastructure.parsing.python_mcap import PythonMcapParser

__all__ = ["NativeMcapParser", "PythonMcapParser", "native_available"]


def __getattr__(name: str) -> object:
    if name in ("NativeMcapParser", "native_available"):
        from argus.infrastructure.parsing import native

        return getattr(native, name)
    if name == "PythonMcapParser":
        from argus.infrastructure.parsing.python_mcap import PythonMcapParser

        return PythonMcapParser
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
