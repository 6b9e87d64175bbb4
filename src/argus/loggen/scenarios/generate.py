"""`generate_scenario`: one scenario batch on disk, with its ground truth beside the files."""

from __future__ import annotations

import os
import random
import zlib
from pathlib import Path

from argus.loggen.generator import DEFAULT_START_NS, batch_paths
from argus.loggen.layout import vehicle_layout
from argus.loggen.payloads import plan_size
from argus.loggen.scenarios.catalogue import SCENARIOS
from argus.loggen.scenarios.context import Ctx
from argus.loggen.scenarios.truth import GROUND_TRUTH_FILE, GroundTruth
from argus.loggen.writer import write_files


def generate_scenario(
    out_dir: str | os.PathLike[str],
    scenario: str,
    seed: int,
    *,
    files: int = 2,
    size: int = 2_000_000,
    compression: str = "zstd",
    vehicle_id: str = "veh-001",
    start_ns: int = DEFAULT_START_NS,
) -> tuple[list[Path], GroundTruth]:
    """Write `scenario` for `seed` as `files` files of about `size` bytes, and ground_truth.json.

    The same (scenario, seed, options) always give the same bytes.
    """
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    paths = batch_paths(out_dir, vehicle_id=vehicle_id, files=files, start_ns=start_ns)
    plan = plan_size(duration_s=None, target_bytes=size, compression=compression)
    span_ns = files * plan.duration_ns
    # The vehicle and every random stream depend on the scenario too, not on the seed alone.
    label = f"{scenario}:{seed}"
    layout = vehicle_layout(random.Random(f"vehicle:{label}"))
    ctx = Ctx(name=scenario, seed=seed, layout=layout, origin_ns=start_ns, span_ns=span_ns)
    causes = SCENARIOS[scenario].build(ctx)
    effects = ctx.effects()
    write_files(
        paths,
        seed=zlib.crc32(label.encode()),
        origin_ns=start_ns,
        plan=plan,
        layout=layout,
        effects=lambda _file_seed: effects,
        compression=compression,
        vehicle_id=vehicle_id,
    )
    truth = GroundTruth(
        scenario=scenario,
        seed=seed,
        duration_s=round(span_ns / 1e9, 3),
        files=tuple(p.name for p in paths),
        root_causes=causes,
    )
    (Path(out_dir) / GROUND_TRUTH_FILE).write_text(truth.to_json(), encoding="utf-8")
    return paths, truth
