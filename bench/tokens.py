"""Bench tokens: a fleet, the bench vehicle and an engineer, through the admin commands.

Run with the environment of the server under test (its data dir or ARGUS_PG_URL): the commands
use the server's PostgreSQL, running or not.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass

FLEET = "bench"
VEHICLE = "veh-bench"


@dataclass(frozen=True)
class Tokens:
    vehicle: str
    engineer: str

    @staticmethod
    def header(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def _argus(env: Mapping[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "argus", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise SystemExit(f"argus {' '.join(args)}: {done.stderr.strip()[-1000:]}")
    return done.stdout.strip()


def issue_tokens(env: Mapping[str, str], vehicle_id: str = VEHICLE) -> Tokens:
    """Register `vehicle_id` in the bench fleet; a token for it and one for an engineer."""
    _argus(env, "fleet", "create", FLEET)
    _argus(env, "vehicle", "add", vehicle_id, "--fleet", FLEET)
    vehicle = _argus(env, "token", "create", "--vehicle", vehicle_id)
    engineer = _argus(env, "token", "create", "--engineer", "bench", "--fleet", FLEET)
    return Tokens(vehicle=vehicle, engineer=engineer)
