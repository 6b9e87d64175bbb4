"""Rendering a report in the terminal with rich.

The report arrives as the JSON document of `GET /api/report/{id}`; its parts are read back
into the analysis types (`from_dict`) so the view uses the same fields as the rest of Argus.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
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
        ]
    )
    console.print(Panel(body, title=f"Diagnosis ({diagnosis.engine})"))
