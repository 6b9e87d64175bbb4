"""`argus eval` end to end: it starts its own `argus serve`, runs scenarios, writes the scores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import Servers

pytestmark = pytest.mark.e2e


def _create_database(servers: Servers) -> str:
    name = f"argus_eval_{uuid.uuid4().hex[:8]}"
    servers.postgres.create_database(name)
    return servers.pg_url(name)


def test_argus_eval_scores_two_scenarios_through_a_server_it_starts(
    servers: Servers, tmp_path: Path
) -> None:
    out = tmp_path / "eval"
    # The server `argus eval` starts uses the session's PostgreSQL and Redis (its own database
    # and Redis db) instead of starting embedded ones: same code path, less start-up work.
    env = {
        **os.environ,
        "ARGUS_PG_URL": _create_database(servers),
        "ARGUS_REDIS_URL": servers.redis_url(db=15),
        "ARGUS_PARSER_WORKERS": "1",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "argus",
            "eval",
            "--scenarios",
            "lidar-dropout,healthy",
            "--seeds",
            "1",
            "--files",
            "2",
            "--size",
            "1MB",
            "--out",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
    )
    output = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, output

    document = json.loads((out / "eval.json").read_text())
    rows = {row["scenario"]: row for row in document["rows"]}
    assert set(rows) == {"lidar-dropout", "healthy"}
    assert all(row["status"] == "completed" for row in rows.values()), output
    assert (rows["lidar-dropout"]["component"], rows["lidar-dropout"]["top1"]) == ("lidar", True)
    assert document["aggregates"]["batches"] == 2
    assert document["aggregates"]["top1"]["total"] == 2
    assert document["options"]["diagnoser"] == "rules"
    markdown = (out / "eval.md").read_text()
    assert sum(line.startswith("| lidar-dropout | 1 |") for line in markdown.splitlines()) == 1
    # Without --keep, only the results stay.
    assert sorted(p.name for p in out.iterdir()) == ["eval.json", "eval.md"], output
