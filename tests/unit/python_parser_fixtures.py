"""The `drive_logs` fixture of the Python engine's tests; modules import it to use it."""

from __future__ import annotations

import pytest

from argus.loggen import Fault, generate_drive_log


@pytest.fixture(scope="module", name="drive_logs")
def drive_logs_fixture(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Small generated logs, one per compression, with a lidar dropout."""
    out = tmp_path_factory.mktemp("logs")
    logs = {}
    for compression in ("zstd", "lz4", "none"):
        path = generate_drive_log(
            out / f"{compression}.mcap",
            seed=11,
            target_bytes=1_500_000,
            faults=[Fault("lidar-dropout", 6.0, 3.0)],
            compression=compression,
        )
        logs[compression] = path.read_bytes()
    return logs
