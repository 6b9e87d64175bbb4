"""Realistic ROS 2 drive-log generator: MCAP files with sensor topics, logs and faults.

The generator (mcap writer, the domain's analysis) is imported on first use, so `argus --help`,
which lists the fault names, does not load it.
"""

from typing import TYPE_CHECKING

from argus.loggen.faults import FAULTS, Fault, FaultSpec, parse_fault

if TYPE_CHECKING:
    from argus.loggen.generator import DEFAULT_START_NS, generate_batch, generate_drive_log

_LAZY = frozenset({"DEFAULT_START_NS", "generate_batch", "generate_drive_log"})

__all__ = [
    "DEFAULT_START_NS",
    "FAULTS",
    "Fault",
    "FaultSpec",
    "generate_batch",
    "generate_drive_log",
    "parse_fault",
]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from argus.loggen import generator

        return getattr(generator, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
