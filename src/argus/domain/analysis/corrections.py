"""Engineers' corrections teach the rules: a near-identical corrected incident outweighs them.

The rules cannot learn weights, but they can defer: when retrieval finds an incident whose
signature is close to this batch's (cosine similarity ≥ `ARGUS_RETRIEVAL_FOLLOW_SIMILARITY`,
`FOLLOW_SIMILARITY` by default) and an engineer corrected its diagnosis, the rules' answer takes
the correction's component, severity and root cause, says whose correction it follows, and
keeps its own view as `rule_diagnosis`. The corrected component need not have an anomaly here:
the corrections that matter are of quiet root causes the anomalies do not show.
See docs/architecture/retrieval.md ("Feedback changes the next diagnosis").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from argus.domain.analysis.anomaly import Anomaly, Diagnosis
from argus.domain.analysis.precedents import Outcome, Precedent

__all__ = ["FOLLOW_SIMILARITY", "follow_correction"]

# Measured by bench/signature_similarity.py over the suite: two seeds of one scenario score a
# median 0.80 with the hashed embedder, the closest other scenario a median 0.50 (max 0.68).
# With minilm other scenarios reach 0.97: raise the setting for it (docs/architecture/retrieval.md).
FOLLOW_SIMILARITY = 0.75


def follow_correction(
    diagnosis: Diagnosis,
    precedents: Sequence[Precedent],
    anomalies: Sequence[Anomaly],
    *,
    min_similarity: float = FOLLOW_SIMILARITY,
) -> Diagnosis:
    """`diagnosis`, or the correction of the most similar corrected precedent close enough."""
    corrected = next(
        (
            p
            for p in precedents
            if p.outcome is Outcome.CORRECTED and p.similarity >= min_similarity
        ),
        None,
    )
    if corrected is None or (corrected.component, corrected.severity) == (
        diagnosis.component,
        diagnosis.severity,
    ):
        return diagnosis
    related = tuple(i for i, a in enumerate(anomalies) if a.component == corrected.component)
    return dataclasses.replace(
        diagnosis,
        component=corrected.component,
        severity=corrected.severity,
        root_cause=(
            f"{corrected.root_cause} (as an engineer corrected the similar batch "
            f"{corrected.batch_id}, similarity {corrected.similarity:.2f}; the rules alone "
            f"said {diagnosis.component})"
        ),
        related_anomalies=related,
        rule_diagnosis=diagnosis,
    )
