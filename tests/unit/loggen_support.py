"""Shared pieces of the drive-log generator's tests: the clock unit, the parser, file digests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from argus.infrastructure.parsing import PythonMcapParser

S = 1_000_000_000
PARSER = PythonMcapParser()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
