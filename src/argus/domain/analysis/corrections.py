"""Engineers' corrections teach the rules: a near-identical corrected incident outweighs them.

The rules cannot learn weights, but they can defer: when retrieval finds an incident whose
signature is almost the same as this batch's (cosine similarity ≥ `FOLLOW_SIMILARITY`) and an
engineer corrected its diagnosis, the rules' answer takes the correction's component, severity
and root cause, says whose correction it follows, and keeps its own view as `rule_diagnosis`.
See docs/architecture/retrieval.md ("Feedback changes the next diagnosis").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from argus.domain.analysis.anomaly import Anomaly, Diagnosis
from argus.domain.analysis.precedents import Outcome, Precedent

__all__ = ["FOLLOW_SIMILARITY", "follow_correction"]

# Two seeds of one scenario (same fault, other timings and wording) score 0.8-1.0 with the
# hashed embedder; different faults sharing a component stay below (measured by `argus eval`).
FOLLOW_SIMILARITY = 0.85


def follow_correction(
    diagnosis: Diagnosis, precedents: Sequence[Precedent], anomalies: Sequence[Anomaly]
) -> Diagnosis:
    """`diagnosis`, or the correction of the most similar corrected precedent close enough."""
    corrected = next(
        (
            p
            for p in precedents
            if p.outcome is Outcome.CORRECTED and p.similarity >= FOLLOW_SIMILARITY
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
        related_anomalies=related or diagnosis.related_anomalies,
        rule_diagnosis=diagnosis,
    )
