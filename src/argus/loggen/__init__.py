"""Realistic ROS 2 drive-log generator: MCAP files with sensor topics, logs and faults."""

from argus.loggen.faults import FAULTS, Fault, FaultSpec, parse_fault
from argus.loggen.generator import DEFAULT_START_NS, generate_batch, generate_drive_log

__all__ = [
    "DEFAULT_START_NS",
    "FAULTS",
    "Fault",
    "FaultSpec",
    "generate_batch",
    "generate_drive_log",
    "parse_fault",
]
