"""gather: diagnostics errors per component, and files that failed or were read partly."""

from __future__ import annotations

import pytest

from argus.domain.analysis import FileErrors, ParseErrorLine
from argus.domain.parsed_file import ParseError
from tests.unit.gather_support import batch, diag, ns, parsed, run

pytestmark = pytest.mark.unit


def test_diagnostics_errors_are_grouped_per_component() -> None:
    diags = [diag(10 + i, "gnss: receiver", hw="gnss_main", msg="no fix") for i in range(30)]
    diags += [diag(12, "gnss: antenna", level="STALE"), diag(5, "camera: front", level="WARN")]
    result = run(*batch(parsed(0, 60, diags=diags)))
    (anomaly,) = result.anomalies
    assert (anomaly.kind, anomaly.component) == ("diagnostic_error", "gnss")
    assert (anomaly.start_ns, anomaly.end_ns) == (ns(10), ns(39))
    assert "ERROR/STALE 31×" in anomaly.title
    gnss = result.summary.diagnostics["gnss"]
    assert gnss.levels == {"ERROR": 30, "STALE": 1}
    assert gnss.statuses == ("gnss: antenna", "gnss: receiver")
    assert result.summary.diagnostics["camera"].worst_level == "WARN"


def test_failed_and_partly_read_files_are_parse_failures() -> None:
    partial = parsed(20, 30, errors=[ParseError("truncated", "chunk ends early", 4096)])
    partial.complete = False
    result = run(*batch(parsed(0, 20), None, partial))
    failures = [a for a in result.anomalies if a.kind == "parse_failure"]
    assert [a.title for a in failures] == [
        "drive_1.mcap could not be parsed: bad magic",
        "drive_2.mcap was read only partly: chunk ends early",
    ]
    assert {a.component for a in failures} == {"recorder"}
    assert result.summary.parse_errors["drive_2.mcap"].errors == (
        ParseErrorLine(kind="truncated", message="chunk ends early", offset=4096),
    )
    assert result.summary.parse_errors["drive_1.mcap"] == FileErrors(
        failed=True, reason="bad magic", errors=()
    )
    assert (result.summary.totals.failed, result.summary.totals.partial) == (1, 1)
