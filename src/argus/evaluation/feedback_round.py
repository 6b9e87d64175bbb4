"""The feedback round: correct the wrong diagnoses of the first seed, then diagnose a new seed.

For every scenario whose first-seed diagnosis named the wrong component, an engineer's
correction (the truth's component, severity and label) is posted to
`POST /api/v1/batches/{id}/diagnosis/feedback`; once all are stored, one more seed of *every*
scenario (a new batch with the same fault, other timings and wording) is uploaded. For a
corrected scenario the report shows whether retrieval found the corrected incident among its
top-3 precedents and whether the diagnosis now names the corrected component (the rules follow
a close correction: `argus.domain.analysis.corrections`; a model reads it among its
precedents); for the others, whether a right diagnosis stayed right (a correction of a
look-alike must not spill over).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from argus.cli.client import ArgusClient
from argus.domain.analysis import NO_COMPONENT
from argus.evaluation.results import BatchRow, Ratio
from argus.evaluation.runner import EvalOptions, EvalTokens, api_client, generate, run_generated
from argus.evaluation.scoring import TOP_K
from argus.loggen.scenarios import GroundTruth

__all__ = ["FeedbackRow", "feedback_cells", "feedback_round"]

NOTE = "argus eval: feedback round"


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    """One corrected incident and the next batch of its scenario."""

    scenario: str
    corrected: bool  # False: the first seed was right, nothing was corrected
    corrected_batch_id: str
    truth_component: str
    before: str  # the first seed's wrong diagnosis
    next_batch_id: str
    after: str  # the next seed's diagnosis, given the corrections
    retrieved: bool  # the corrected batch is among the next batch's top-3 precedents
    similarity: float | None  # its similarity, when retrieved
    right_after: bool  # the next diagnosis names the true component

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return asdict(self)


async def feedback_round(
    base_url: str,
    options: EvalOptions,
    rows: Sequence[BatchRow],
    *,
    work_dir: Path,
    run_tag: str,
    transport: httpx.AsyncBaseTransport | None = None,
    tokens: EvalTokens | None = None,
) -> list[FeedbackRow]:
    """Correct the first seed's wrong diagnoses (as the engineer of `tokens`), then diagnose
    one more seed of every scenario (as its vehicle)."""
    first = min(options.seeds)
    done = [r for r in rows if r.seed == first and not r.status.startswith("error")]
    # A correction names a component: a healthy truth has none to correct to.
    wrong = {r.scenario for r in done if not r.score.top1 and r.truth_component != NO_COMPONENT}
    seed = max(options.seeds) + 1
    limit = asyncio.Semaphore(options.concurrency)
    who = tokens or EvalTokens(None, None)
    generated = {r.scenario: await generate(options, r.scenario, seed, work_dir) for r in done}
    async with api_client(base_url, transport, who.engineer) as http:
        engineer = ArgusClient(http)
        for row in done:  # every correction is stored before the next seed is uploaded
            if row.scenario in wrong:
                await engineer.feedback(row.batch_id, _correction(generated[row.scenario][1]))
    async with api_client(base_url, transport, who.vehicle) as http:
        client = ArgusClient(http)

        async def one(row: BatchRow) -> FeedbackRow:
            paths, truth = generated[row.scenario]
            async with limit:
                after, facts = await run_generated(
                    client, options, paths, truth, run_tag, repeated=True
                )
            found = [p for p in (facts.precedents or ())[:TOP_K] if p.batch_id == row.batch_id]
            return FeedbackRow(
                scenario=row.scenario,
                corrected=row.scenario in wrong,
                corrected_batch_id=row.batch_id,
                truth_component=row.truth_component,
                before=row.component,
                next_batch_id=after.batch_id,
                after=after.component,
                retrieved=bool(found),
                similarity=round(found[0].similarity, 3) if found else None,
                right_after=after.score.top1,
            )

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(r)) for r in done]
    return sorted((t.result() for t in tasks), key=lambda f: (not f.corrected, f.scenario))


def _correction(truth: GroundTruth) -> dict[str, Any]:
    cause = truth.root_causes[0]
    return {
        "verdict": "corrected",
        "component": cause.component,
        "severity": truth.severity,
        "root_cause": cause.label,
        "note": NOTE,
    }


def feedback_cells(rows: Sequence[FeedbackRow]) -> dict[str, str]:
    """The round's scores as display text."""
    fixed = [r for r in rows if r.corrected]
    kept = [r for r in rows if not r.corrected and r.before == r.truth_component]
    return {
        "corrected incidents": str(len(fixed)),
        "correction retrieved (top-3)": _share([r.retrieved for r in fixed]),
        "right after feedback": _share([r.right_after for r in fixed]),
        "uncorrected, still right": _share([r.right_after for r in kept]),
    }


def _share(hits: Sequence[bool]) -> str:
    return str(Ratio(sum(hits), len(hits))) if hits else "n/a"
