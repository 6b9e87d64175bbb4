"""The demo's tokens: its vehicle's (uploads) and an engineer's (reads), kept in the data dir.

Written 0600 to `var/demo-vehicle-token` and `var/demo-token` and reused on the next run while
they are still valid; a missing, revoked or expired one is replaced.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from argus.config import Settings

DEMO_FLEET = "demo"
DEMO_ENGINEER = "demo-engineer"
ENGINEER_FILE = "demo-token"
VEHICLE_FILE = "demo-vehicle-token"


@dataclass(frozen=True)
class DemoTokens:
    vehicle: str
    engineer: str
    engineer_file: Path


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def _write(path: Path, secret: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(secret + "\n")
    path.chmod(0o600)  # an older file keeps its mode through O_CREAT


async def demo_tokens(settings: Settings, vehicle_id: str) -> DemoTokens:
    """The demo fleet, its vehicle and both tokens, created or reused."""
    from argus.domain.identity import LOCAL_ADMIN, Caller, Role
    from argus.entrypoints.admin import admin_session

    caller = Caller(principal=LOCAL_ADMIN, address="cli:demo")
    data_dir = settings.app.data_dir
    vehicle_file, engineer_file = data_dir / VEHICLE_FILE, data_dir / ENGINEER_FILE
    async with admin_session(settings) as session:
        admin = session.admin
        # A data dir from before fleets existed has the vehicle in the `default` fleet.
        fleet = await admin.vehicle_fleet(vehicle_id) or DEMO_FLEET
        await admin.create_fleet(caller, fleet)
        await admin.add_vehicle(caller, vehicle_id, fleet)
        vehicle = _read(vehicle_file)
        if vehicle is None or not await admin.token_usable(vehicle):
            issued = await admin.issue(caller, role=Role.VEHICLE, vehicle_id=vehicle_id)
            vehicle = issued.secret
            _write(vehicle_file, vehicle)
        engineer = _read(engineer_file)
        if engineer is None or not await admin.token_usable(engineer):
            issued = await admin.issue(
                caller, role=Role.ENGINEER, fleet_id=fleet, name=DEMO_ENGINEER
            )
            engineer = issued.secret
            _write(engineer_file, engineer)
    return DemoTokens(vehicle=vehicle, engineer=engineer, engineer_file=engineer_file)
