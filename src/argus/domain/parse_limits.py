"""The numbers of the parser contract, defined once for both engines.

The C++ core has the same constants in native/src/limits.hpp and exports them as
`argus._native.LIMITS`; tests/native/test_contract.py fails when the two disagree.
docs/schemas/parsed-file.md explains each one.
"""

from __future__ import annotations

# A record (or a chunk's uncompressed size) above this is refused, never allocated.
MAX_RECORD_BYTES = 1 << 30
# Containers a JSON log may nest; deeper logs are `json_too_deep`, whatever else they hold.
MAX_JSON_DEPTH = 64
# A JSON integer with more digits (sign excluded) is outside every level table.
MAX_JSON_INT_DIGITS = 18
# Caps keep one summary bounded however hostile or noisy the file is; overflow is counted.
MAX_EVENTS_PER_KIND = 10_000
MAX_ERRORS = 100

LIMITS = {
    "MAX_RECORD_BYTES": MAX_RECORD_BYTES,
    "MAX_JSON_DEPTH": MAX_JSON_DEPTH,
    "MAX_JSON_INT_DIGITS": MAX_JSON_INT_DIGITS,
    "MAX_EVENTS_PER_KIND": MAX_EVENTS_PER_KIND,
    "MAX_ERRORS": MAX_ERRORS,
}

__all__ = [
    "LIMITS",
    "MAX_ERRORS",
    "MAX_EVENTS_PER_KIND",
    "MAX_JSON_DEPTH",
    "MAX_JSON_INT_DIGITS",
    "MAX_RECORD_BYTES",
]
