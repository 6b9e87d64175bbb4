"""A batch's signature: what makes two incidents alike, and its hashed vector.

Retrieval compares batches by what went wrong, not by how long or busy the drive was: the
components with anomalies, the anomaly kinds, the problem log templates with their variables
masked, the diagnostics that left OK, and the topics that went silent. `hashed_embedding` turns
those features into a fixed-size vector without any model (feature hashing, as in
Weinberger et al. 2009), the same in every process and on every machine.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from argus.domain.analysis.anomaly import Anomaly
from argus.domain.analysis.summary import BatchSummary
from argus.domain.component import component_of

__all__ = ["EMBEDDING_DIMENSIONS", "HEALTHY", "BatchSignature", "hashed_embedding"]

# The width of `ai_diagnoses.embedding vector(384)` (migration 0001): every embedder must
# produce vectors of this size (all-MiniLM-L6-v2 does too).
EMBEDDING_DIMENSIONS = 384
# The one feature of a batch where nothing was wrong, so its vector is not all zeros (the
# cosine distance to a zero vector is undefined).
HEALTHY = "healthy"
# Log levels whose templates describe a problem; INFO chatter is alike in every drive.
_PROBLEM_LOG_LEVELS = frozenset({"WARN", "ERROR", "FATAL"})
_QUIET_DIAGNOSTICS = frozenset({"OK"})
_NUMBER = re.compile(r"0x[0-9a-f]+|\d+(?:\.\d+)?")
_SPACE = re.compile(r"\s+")


def _mask(template: str) -> str:
    # Templates keep the variables the miner could not tell apart (ids, values): mask them so
    # "voltage 11.2 V" and "voltage 10.9 V" are one feature.
    return _SPACE.sub(" ", _NUMBER.sub("<n>", template.lower())).strip()


@dataclass(frozen=True, slots=True)
class BatchSignature:
    """The sorted, de-duplicated features of a batch, one `prefix:value` string each."""

    features: tuple[str, ...]

    @classmethod
    def of(cls, summary: BatchSummary, anomalies: Sequence[Anomaly]) -> BatchSignature:
        """The signature of a gathered batch (its summary and Top-K anomalies)."""
        found: set[str] = set()
        for anomaly in anomalies:
            found.add(f"component:{anomaly.component}")
            found.add(f"kind:{anomaly.kind}")
            found.add(f"kind:{anomaly.kind}:{anomaly.component}")
        for template in summary.log_templates:
            if template.level in _PROBLEM_LOG_LEVELS:
                found.add(f"log:{template.level}:{_mask(template.template)}")
        for name, diagnostics in summary.diagnostics.items():
            if diagnostics.worst_level not in _QUIET_DIAGNOSTICS:
                found.add(f"diagnostic:{name}:{diagnostics.worst_level}")
        dropped = {a.component for a in anomalies if a.kind == "sensor_dropout"}
        found.update(f"silent:{t}" for t in summary.topics if component_of(t) in dropped)
        return cls(tuple(sorted(found)) or (HEALTHY,))

    def text(self) -> str:
        """One feature per line: what an embedder reads."""
        return "\n".join(self.features)


def hashed_embedding(text: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """Signed feature hashing of the lines of `text`, L2-normalised.

    blake2b, not `hash()`: Python salts string hashes per process, and a stored vector must
    mean the same thing to the next process. The sign bit halves the bias of collisions.
    """
    vector = [0.0] * dimensions
    features = {line.strip() for line in text.splitlines() if line.strip()} or {HEALTHY}
    for feature in features:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "big")
        vector[(value >> 1) % dimensions] += 1.0 if value & 1 else -1.0
    norm = math.sqrt(sum(x * x for x in vector))
    if norm == 0.0:  # every feature cancelled out in collisions: rare, but never a zero vector
        return hashed_embedding(HEALTHY, dimensions)
    return [x / norm for x in vector]
