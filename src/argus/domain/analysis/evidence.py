"""The evidence a model sees: items with stable ids, ordered by score, cut to a token budget.

Built from the typed `BatchSummary` and the Top-K anomalies only, so the same batch always gives
the same items, ids and order. Ids are the anomaly ids (`<kind>-<12 hex>`) and, for the other
items, a type prefix and 12 hex digits of a hash of what they describe (`tpl-`, `diag-`, `rate-`,
`file-`, `seq-`); docs/architecture/diagnosis.md lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from argus.domain.analysis.anomaly import Anomaly
from argus.domain.analysis.evidence_item import EvidenceItem, evidence_id
from argus.domain.analysis.evidence_sources import (
    diagnostics_items,
    file_items,
    onset_item,
    rate_items,
    template_items,
)
from argus.domain.analysis.summary import BatchSummary

__all__ = ["EvidenceItem", "build_evidence", "cut_to_budget", "evidence_id"]

# Items considered at all, whatever the budget: keeps the work (and the prompt) flat for a
# summary with thousands of topics or templates.
MAX_ITEMS = 200
# Gather's Top-K is at most 100 (`ARGUS_TOP_K`); more anomalies than that are not looked at.
MAX_ANOMALIES = 100


def build_evidence(summary: BatchSummary, anomalies: Sequence[Anomaly]) -> tuple[EvidenceItem, ...]:
    """Every evidence item of a batch, highest score first (ties by id), at most `MAX_ITEMS`."""
    items: dict[str, EvidenceItem] = {}
    origin = summary.timeline.start_ns
    anomalies = anomalies[:MAX_ANOMALIES]
    for anomaly in anomalies:
        _keep(items, [_anomaly_item(anomaly)])
    _keep(items, template_items(summary, anomalies))
    _keep(items, diagnostics_items(summary, anomalies))
    _keep(items, rate_items(summary, anomalies))
    _keep(items, file_items(summary))
    _keep(items, onset_item(anomalies, origin))
    ordered = sorted(items.values(), key=lambda i: (-i.score, i.evidence_id))
    return tuple(ordered[:MAX_ITEMS])


def cut_to_budget(
    items: Iterable[EvidenceItem],
    *,
    origin_ns: int | None,
    budget_tokens: int,
    count: Callable[[str], int],
) -> tuple[EvidenceItem, ...]:
    """The items whose lines fit in `budget_tokens`, in score order; a line too big is skipped."""
    kept: list[EvidenceItem] = []
    left = budget_tokens
    for item in items:
        cost = count(item.line(origin_ns) + "\n")
        if cost <= left:
            kept.append(item)
            left -= cost
    return tuple(kept)


def _anomaly_item(anomaly: Anomaly) -> EvidenceItem:
    detail = ""
    if anomaly.evidence:
        first = anomaly.evidence[0]
        detail = f" ({first.file}: {first.detail})"
    return EvidenceItem(
        evidence_id=anomaly.anomaly_id,
        component=anomaly.component,
        score=round(anomaly.score, 3),
        start_ns=anomaly.start_ns,
        end_ns=anomaly.end_ns,
        text=f"{anomaly.kind} score {anomaly.score:.1f}: {anomaly.title}{detail}",
    )


def _keep(items: dict[str, EvidenceItem], new: Iterable[EvidenceItem]) -> None:
    # The same template or topic reached from two anomalies keeps its best score.
    for item in new:
        old = items.get(item.evidence_id)
        if old is None or item.score > old.score:
            items[item.evidence_id] = item
