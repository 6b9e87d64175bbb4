"""Parser engines that turn a drive log into a `ParsedFile` summary."""

from argus.infrastructure.parsing.native import NativeMcapParser, native_available
from argus.infrastructure.parsing.python_mcap import PythonMcapParser

__all__ = ["NativeMcapParser", "PythonMcapParser", "native_available"]
