"""The written results of an evaluation: `eval.json` (rows + aggregates) and `eval.md`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argus.evaluation.results import NA, Aggregates, BatchRow

__all__ = ["BATCH_COLUMNS", "EvalRun", "batch_cells", "markdown", "write_results"]

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

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written to eval.json."""
        return {
            "started_at": self.started_at,
            "machine": self.machine,
            "options": self.options,
            "aggregates": self.aggregates.to_dict(),
            "rows": [row.to_dict() for row in self.rows],
        }


def write_results(run: EvalRun, out_dir: Path) -> tuple[Path, Path]:
    """Write eval.json and eval.md into `out_dir`; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / JSON_FILE, out_dir / MARKDOWN_FILE
    json_path.write_text(json.dumps(run.to_dict(), indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(run), encoding="utf-8")
    return json_path, md_path


def markdown(run: EvalRun) -> str:
    """The aggregate table, then one line per batch."""
    agg = run.aggregates
    cells = agg.cells()
    lines = [
        f"Evaluation of the `{agg.diagnoser}` diagnoser, {run.started_at}, on {run.machine}.",
        "",
        "| metric | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in cells.items()),
        "",
        "| " + " | ".join(BATCH_COLUMNS) + " |",
        "|" + "---|" * len(BATCH_COLUMNS),
        *(_batch_line(row) for row in run.rows),
    ]
    return "\n".join(lines) + "\n"


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


def _batch_line(row: BatchRow) -> str:
    return "| " + " | ".join(batch_cells(row)) + " |"


def _mark(value: bool | None) -> str:
    return NA if value is None else ("yes" if value else "no")


def _optional(value: int | None) -> str:
    return NA if value is None else str(value)
