"""Scoring one diagnosed batch against its ground truth: pure functions, no I/O.

Every metric is a `bool` (hit or miss) or None when it does not apply to the batch or the
report lacks the fields it needs ("n/a"), so an engine without a chain or precedents is
scored on what it does produce and never fails the run.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from argus.evaluation.report_facts import ReportFacts, StepFacts
from argus.loggen.scenarios import ChainStep, GroundTruth, RootCause

__all__ = ["TIME_TOLERANCE_S", "TOP_K", "BatchScore", "chain_matches", "score_batch"]

# A diagnosed chain step may start or end this long before or after the true step and still
# count as the same step: the evidence windows come from sampled topic gaps and log times.
TIME_TOLERANCE_S = 2.0
# Top-k of the candidate components and of the precedents retrieval returns.
TOP_K = 3


@dataclass(frozen=True, slots=True)
class BatchScore:
    """The metrics of one batch; None is "n/a"."""

    top1: bool
    top3: bool
    severity_right: bool
    said_healthy: bool
    truly_healthy: bool
    evidence_valid: bool | None
    grounded: bool | None
    retrieval_hit: bool | None


def score_batch(truth: GroundTruth, facts: ReportFacts, *, repeated: bool) -> BatchScore:
    """Score `facts` against `truth`; `repeated`: the scenario already ran with another seed."""
    right = _truth_components(truth)
    top1 = facts.component in right
    return BatchScore(
        top1=top1,
        top3=bool(right & set(candidates(facts)[:TOP_K])),
        severity_right=facts.severity == truth.severity,
        said_healthy=facts.said_healthy,
        truly_healthy=truth.healthy,
        evidence_valid=_evidence_valid(facts),
        grounded=_grounded(truth, facts, top1=top1),
        retrieval_hit=_retrieval_hit(facts, right, repeated=repeated),
    )


def candidates(facts: ReportFacts) -> list[str]:
    """Distinct components a reader would suspect, most likely first.

    The diagnosed component, then the chain's components, then the Top-K anomalies'.
    """
    chain = [step.component for step in facts.chain or ()]
    ordered = [facts.component, *chain, *facts.anomaly_components]
    return list(dict.fromkeys(ordered))


def chain_matches(diagnosed: Sequence[StepFacts], truth: RootCause) -> bool:
    """The diagnosed chain tells the true propagation path.

    It starts at the root cause, names the same components as the truth (no more, no fewer),
    each step overlaps in time a true step of its component (within TIME_TOLERANCE_S), and
    its components follow the truth's order: the first true start of each step's component
    never goes back along the chain (components that fail at the same time may come in any
    order; the order itself is not given a tolerance, since causes precede effects).
    """
    if not diagnosed or diagnosed[0].component != truth.component:
        return False
    if {s.component for s in diagnosed} != {s.component for s in truth.chain}:
        return False
    if not all(_overlaps_some(step, truth.chain) for step in diagnosed):
        return False
    first_start: dict[str, float] = {}
    for step in truth.chain:
        first_start.setdefault(step.component, step.start_s)
    starts = [first_start[step.component] for step in diagnosed]
    return all(b >= a for a, b in itertools.pairwise(starts))


def _truth_components(truth: GroundTruth) -> set[str]:
    # Either root cause of a two-fault batch is a right answer; a healthy drive's is "none".
    return {cause.component for cause in truth.root_causes} or {truth.component}


def _overlaps_some(step: StepFacts, chain: Sequence[ChainStep]) -> bool:
    return any(
        t.component == step.component
        and step.start_s <= t.end_s + TIME_TOLERANCE_S
        and step.end_s >= t.start_s - TIME_TOLERANCE_S
        for t in chain
    )


def _evidence_valid(facts: ReportFacts) -> bool | None:
    if facts.cited_evidence_ids is None and facts.chain is None:
        return None
    cited = set(facts.cited_evidence_ids or ())
    cited.update(i for step in facts.chain or () for i in step.evidence_ids)
    return cited <= facts.known_evidence_ids


def _grounded(truth: GroundTruth, facts: ReportFacts, *, top1: bool) -> bool | None:
    if facts.chain is None or truth.healthy:
        return None
    if not top1:
        return False
    cause = next(c for c in truth.root_causes if c.component == facts.component)
    return chain_matches(facts.chain, cause)


def _retrieval_hit(facts: ReportFacts, right: set[str], *, repeated: bool) -> bool | None:
    if facts.precedents is None or not repeated:
        return None
    return any(p.component in right for p in facts.precedents[:TOP_K])
