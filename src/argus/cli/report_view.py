"""Rendering a report in the terminal with rich."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table


def _seconds(ns: Any) -> str:
    return "-" if ns is None else f"{int(ns) / 1e9:.1f} s"


def print_report(console: Console, report: dict[str, Any]) -> None:
    """Summary, Top-K anomalies and the diagnosis of one batch."""
    console.rule(
        f"Report {report['batch_id']} — vehicle {report['vehicle_id']} — {report['status']}"
    )
    summary = report.get("summary") or {}
    totals = summary.get("totals", {})
    if totals:
        console.print(
            "files: {files}  parsed: {parsed}  failed: {failed}  messages: {messages}".format(
                **{k: totals.get(k, "-") for k in ("files", "parsed", "failed", "messages")}
            )
        )
    anomalies = report.get("anomalies") or []
    table = Table(title=f"Top {len(anomalies)} anomalies", show_lines=False)
    for column in ("#", "score", "kind", "component", "what"):
        table.add_column(column)
    for index, anomaly in enumerate(anomalies, start=1):
        table.add_row(
            str(index),
            f"{anomaly['score']:.2f}",
            anomaly["kind"],
            anomaly["component"],
            anomaly["title"],
        )
    console.print(table)
    diagnosis = report.get("diagnosis")
    if diagnosis:
        body = "\n".join(
            [
                f"[bold]component:[/bold] {diagnosis['component']}   "
                f"[bold]severity:[/bold] {diagnosis['severity']}",
                f"[bold]root cause:[/bold] {diagnosis['root_cause']}",
                "[bold]evidence:[/bold]",
                *(f"  • {line}" for line in diagnosis.get("evidence", [])),
                "[bold]actions:[/bold]",
                *(f"  • {line}" for line in diagnosis.get("actions", [])),
            ]
        )
        console.print(Panel(body, title=f"Diagnosis ({diagnosis.get('engine', '?')})"))
