"""The written results of an evaluation: `eval.json` (rows + aggregates) and `eval.md`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argus.evaluation.feedback_round import FeedbackRow, feedback_cells
from argus.evaluation.results import NA, Aggregates, BatchRow

__all__ = [
    "BATCH_COLUMNS",
    "FEEDBACK_COLUMNS",
    "EvalRun",
    "batch_cells",
    "feedback_row_cells",
    "markdown",
    "write_results",
]

JSON_FILE = "eval.json"
MARKDOWN_FILE = "eval.md"


@dataclass(frozen=True, slots=True)
class EvalRun:
    """One evaluation: where and when it ran, with what options, and what came out."""

    started_at: str
    machine: str
    options: dict[str, Any]
    aggregates: Aggregates
    rows: tuple[BatchRow, ...]
    feedback: tuple[FeedbackRow, ...] | None = None  # None: no feedback round ran

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written to eval.json."""
        return {
            "started_at": self.started_at,
            "machine": self.machine,
            "options": self.options,
            "aggregates": self.aggregates.to_dict(),
            "rows": [row.to_dict() for row in self.rows],
            "feedback": None if self.feedback is None else [f.to_dict() for f in self.feedback],
        }


def write_results(run: EvalRun, out_dir: Path) -> tuple[Path, Path]:
    """Write eval.json and eval.md into `out_dir`; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / JSON_FILE, out_dir / MARKDOWN_FILE
    json_path.write_text(json.dumps(run.to_dict(), indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(run), encoding="utf-8")
    return json_path, md_path


def markdown(run: EvalRun) -> str:
    """The aggregate table, one line per batch, then the feedback round's table."""
    agg = run.aggregates
    cells = agg.cells()
    lines = [
        f"Evaluation of the `{agg.diagnoser}` diagnoser with the `{agg.embedder}` embedder, "
        f"{run.started_at}, on {run.machine}.",
        "",
        *_table(("metric", "value"), [[name, value] for name, value in cells.items()]),
        "",
        *_table(BATCH_COLUMNS, [batch_cells(row) for row in run.rows]),
        *_feedback_lines(run.feedback),
    ]
    return "\n".join(lines) + "\n"


FEEDBACK_COLUMNS: Sequence[str] = (
    "scenario",
    "corrected",
    "truth",
    "before (first seed)",
    "after (next seed)",
    "correction retrieved",
    "right after",
)


def feedback_row_cells(row: FeedbackRow) -> list[str]:
    """One corrected incident as display text (Markdown and terminal)."""
    similarity = "" if row.similarity is None else f" ({row.similarity:.2f})"
    retrieved = _mark(row.retrieved) + similarity if row.corrected else NA
    return [
        row.scenario,
        _mark(row.corrected),
        row.truth_component,
        row.before,
        row.after,
        retrieved,
        _mark(row.right_after),
    ]


def _feedback_lines(rows: tuple[FeedbackRow, ...] | None) -> list[str]:
    if rows is None:
        return []
    return [
        "",
        "After feedback: the first seed's wrong diagnoses corrected, then one more seed of every "
        "scenario diagnosed.",
        "",
        *(f"- {name}: {value}" for name, value in feedback_cells(rows).items()),
        "",
        *_table(FEEDBACK_COLUMNS, [feedback_row_cells(r) for r in rows]),
    ]


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(cells) + " |" for cells in rows),
    ]


def batch_cells(row: BatchRow) -> list[str]:
    """One batch's row as display text (shared by the Markdown and the terminal table)."""
    score = row.score
    return [
        row.scenario,
        str(row.seed),
        f"{row.truth_component} ({row.truth_severity})",
        f"{row.component} ({row.severity})",
        row.engine,
        _mark(score.top1),
        _mark(score.top3),
        _mark(score.severity_right),
        _mark(score.evidence_valid),
        _mark(score.grounded),
        _mark(score.retrieval_hit),
        f"{row.latency_s:.1f} s",
        _optional(row.prompt_tokens),
        _optional(row.llm_calls),
    ]


BATCH_COLUMNS: Sequence[str] = (
    "scenario",
    "seed",
    "truth",
    "diagnosed",
    "engine",
    "top-1",
    "top-3",
    "severity",
    "evidence",
    "grounded",
    "hit@3",
    "latency",
    "tokens",
    "LLM calls",
)


def _mark(value: bool | None) -> str:
    return NA if value is None else ("yes" if value else "no")


def _optional(value: int | None) -> str:
    return NA if value is None else str(value)
