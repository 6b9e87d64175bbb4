"""Rendering a report in the terminal with rich.

The report arrives as the JSON document of `GET /api/report/{id}`; its parts are read back
into the analysis types (`from_dict`) so the view uses the same fields as the rest of Argus.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from argus.domain.analysis import Anomaly, BatchSummary, Diagnosis


def print_report(console: Console, report: Mapping[str, Any]) -> None:
    """Summary, Top-K anomalies and the diagnosis of one batch."""
    console.rule(
        f"Report {report['batch_id']} — vehicle {report['vehicle_id']} — {report['status']}"
    )
    if report.get("summary"):
        totals = BatchSummary.from_dict(report["summary"]).totals
        console.print(
            f"files: {totals.files}  parsed: {totals.parsed}  failed: {totals.failed}  "
            f"messages: {totals.messages}"
        )
    anomalies = [Anomaly.from_dict(a) for a in report.get("anomalies") or ()]
    table = Table(title=f"Top {len(anomalies)} anomalies", show_lines=False)
    for column in ("#", "score", "kind", "component", "what"):
        table.add_column(column)
    for index, anomaly in enumerate(anomalies, start=1):
        table.add_row(
            str(index), f"{anomaly.score:.2f}", anomaly.kind, anomaly.component, anomaly.title
        )
    console.print(table)
    if report.get("diagnosis"):
        _print_diagnosis(console, Diagnosis.from_dict(report["diagnosis"]))
    feedback = report.get("feedback")
    if isinstance(feedback, Mapping):
        console.print(
            f"[bold]engineer feedback:[/bold] {feedback.get('verdict')} — "
            f"{feedback.get('component') or ''} {feedback.get('note') or ''}".rstrip()
        )


def _print_diagnosis(console: Console, diagnosis: Diagnosis) -> None:
    body = "\n".join(
        [
            f"[bold]component:[/bold] {diagnosis.component}   "
            f"[bold]severity:[/bold] {diagnosis.severity}",
            f"[bold]root cause:[/bold] {diagnosis.root_cause}",
            "[bold]evidence:[/bold]",
            *(f"  • {line}" for line in diagnosis.evidence),
            "[bold]actions:[/bold]",
            *(f"  • {line}" for line in diagnosis.actions),
            *_chain_lines(diagnosis),
            *_precedent_lines(diagnosis),
            *_cost_lines(diagnosis),
        ]
    )
    console.print(Panel(body, title=f"Diagnosis ({diagnosis.engine})"))
    rules = diagnosis.rule_diagnosis
    if rules is not None:
        console.print(
            f"[bold]the rules disagree:[/bold] {rules.component} ({rules.severity}) — "
            f"{rules.root_cause}"
        )


def _chain_lines(diagnosis: Diagnosis) -> list[str]:
    if not diagnosis.chain:
        return []
    return [
        "[bold]propagation:[/bold]",
        *(
            escape(
                f"  {i}. {step.component}: {step.event} ({_seconds(step.start_s)}) "
                f"[{', '.join(step.evidence_ids)}]"
            )
            for i, step in enumerate(diagnosis.chain, start=1)
        ),
    ]


def _precedent_lines(diagnosis: Diagnosis) -> list[str]:
    # Shown whichever diagnoser ran: retrieval needs no model.
    if not diagnosis.precedents:
        return ["[bold]similar past incidents:[/bold] none yet"]
    return [
        "[bold]similar past incidents:[/bold]",
        *(
            escape(
                f"  • {p.batch_id} ({p.similarity:.2f}, {p.outcome.value}): {p.component} — "
                f"{p.root_cause}"
            )
            for p in diagnosis.precedents
        ),
    ]


def _cost_lines(diagnosis: Diagnosis) -> list[str]:
    lines = []
    if diagnosis.model is not None:
        lines.append(
            f"[bold]model:[/bold] {diagnosis.model}, prompt {diagnosis.prompt_tokens} of "
            f"{diagnosis.token_budget} tokens, {diagnosis.llm_calls} call(s)"
        )
    if diagnosis.fallback_reason is not None:
        lines.append(f"[bold]fell back to the rules:[/bold] {diagnosis.fallback_reason}")
    return lines


def _seconds(value: float | None) -> str:
    return "time unknown" if value is None else f"{value:.1f} s"
