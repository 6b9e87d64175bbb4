"""The terminal report shows what the diagnosis rests on: its chain, its precedents, its cost."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from typing import Any

import pytest
from rich.console import Console

from argus.cli.report_view import print_report
from argus.domain.analysis import Outcome, Precedent, diagnose_offline, gather
from tests.fakes.analysis import sample_files
from tests.fakes.templates import FakeTemplateMiner

pytestmark = pytest.mark.unit


def rendered(**diagnosis_changes: Any) -> str:
    result = gather(sample_files(), template_miner=FakeTemplateMiner())
    diagnosis = diagnose_offline(summary=result.summary, anomalies=result.anomalies)
    diagnosis = replace(diagnosis, **diagnosis_changes)
    report = {
        "batch_id": "b-1",
        "vehicle_id": "veh-1",
        "status": "completed",
        "summary": result.summary.to_dict(),
        "anomalies": [a.to_dict() for a in result.anomalies],
        "diagnosis": json.loads(json.dumps(diagnosis.to_dict())),
        "feedback": {"verdict": "corrected", "component": "lidar", "note": "loose connector"},
    }
    console = Console(file=io.StringIO(), width=200)
    print_report(console, report)
    return str(console.file.getvalue())  # type: ignore[attr-defined]


def test_the_chain_is_shown_with_its_evidence_ids_unmangled_by_markup() -> None:
    text = rendered()
    assert "propagation:" in text
    # Square brackets around the ids are text, not rich markup: they must survive.
    assert re.search(r"\[[a-z_]+-[0-9a-f]{12}(, [a-z_]+-[0-9a-f]{12})*\]", text)


def test_precedents_and_feedback_are_shown_whichever_diagnoser_ran() -> None:
    precedent = Precedent("b-0", "veh-2", 0.93, "lidar", "high", "lidar dropped", Outcome.CORRECTED)
    text = rendered(precedents=(precedent,))
    assert "b-0 (0.93, corrected): lidar — lidar dropped" in text
    assert "engineer feedback: corrected" in text and "loose connector" in text


def test_a_model_diagnosis_shows_its_model_and_token_cost() -> None:
    text = rendered(engine="llm", model="qwen", prompt_tokens=512, token_budget=4000, llm_calls=1)
    assert "model: qwen, prompt 512 of 4000 tokens, 1 call(s)" in text
    assert "similar past incidents: none yet" in text
