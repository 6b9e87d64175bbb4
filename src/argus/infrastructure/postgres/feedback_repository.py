"""PostgreSQL adapter of the FeedbackRepository port (`diagnosis_feedback`, migration 0003).

`FEEDBACK_COLUMNS` and `feedback_from_row` are shared with the reads that join the feedback
table as `f` (the report, retrieval), so its columns map to `Feedback` in one place.
"""

from __future__ import annotations

import asyncpg

from argus.domain.analysis.feedback import Feedback
from argus.domain.analysis.precedents import Outcome
from argus.domain.errors import Conflict, NotFound
from argus.infrastructure.postgres._errors import connection

__all__ = ["FEEDBACK_COLUMNS", "PostgresFeedbackRepository", "feedback_from_row"]

FEEDBACK_COLUMNS = (
    "f.verdict AS feedback_verdict, f.component AS feedback_component,"
    " f.root_cause AS feedback_root_cause, f.severity AS feedback_severity,"
    " f.note AS feedback_note, f.created_at AS feedback_created_at,"
    " f.updated_at AS feedback_updated_at"
)

_UPSERT = """
INSERT INTO diagnosis_feedback (batch_id, verdict, component, root_cause, severity, note)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (batch_id) DO UPDATE SET
    verdict = EXCLUDED.verdict, component = EXCLUDED.component,
    root_cause = EXCLUDED.root_cause, severity = EXCLUDED.severity, note = EXCLUDED.note,
    updated_at = now()
RETURNING created_at, updated_at, (xmax = 0) AS inserted
"""


def feedback_from_row(row: asyncpg.Record) -> Feedback | None:
    """The feedback of a row selected with `FEEDBACK_COLUMNS`; None when the join found none."""
    if row["feedback_verdict"] is None:
        return None
    return Feedback(
        verdict=Outcome(row["feedback_verdict"]),
        component=row["feedback_component"],
        root_cause=row["feedback_root_cause"],
        severity=row["feedback_severity"],
        note=row["feedback_note"],
        created_at=row["feedback_created_at"],
        updated_at=row["feedback_updated_at"],
    )


class PostgresFeedbackRepository:
    """One row per diagnosed batch; a later feedback replaces the earlier one."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def save(self, batch_id: str, feedback: Feedback) -> tuple[Feedback, bool]:
        async with connection(self._pool) as conn, conn.transaction():
            found = await conn.fetchrow(
                "SELECT d.batch_id IS NOT NULL AS diagnosed FROM batches b"
                " LEFT JOIN ai_diagnoses d USING (batch_id) WHERE b.batch_id = $1",
                batch_id,
            )
            if found is None:
                raise NotFound(f"batch {batch_id} not found")
            if not found["diagnosed"]:
                raise Conflict(f"batch {batch_id} has no diagnosis yet")
            row = await conn.fetchrow(
                _UPSERT,
                batch_id,
                feedback.verdict.value,
                feedback.component,
                feedback.root_cause,
                feedback.severity,
                feedback.note,
            )
        assert row is not None  # an upsert always returns its row
        stored = feedback.stamped(created_at=row["created_at"], updated_at=row["updated_at"])
        return stored, bool(row["inserted"])
