"""The rule diagnoser's honest score on the labeled scenario suite (top-1 component accuracy).

Every scenario is generated for a few seeds, parsed with the Python reference parser, gathered
and diagnosed by the offline rules exactly as the pipeline does, and the diagnosed component is
compared with the ground truth's (any of the two root causes counts for `two-faults`; the
healthy drive must be diagnosed "none"). Nothing here is tuned to the suite.

Usage: python bench/scenarios.py [--seeds 1,2,3] [--files 2] [--size 1MB]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from argus.cli.gen_logs_cmd import parse_size
from argus.domain.analysis import FileResult, diagnose_offline, gather
from argus.infrastructure.parsing import PythonMcapParser
from argus.infrastructure.templates.drain3_miner import Drain3TemplateMiner
from argus.loggen.scenarios import SCENARIOS, GroundTruth, generate_scenario


def diagnose(paths: list[Path]) -> tuple[str, str]:
    """(component, severity) the offline rules give for one batch."""
    parser = PythonMcapParser()
    files = [FileResult(file_name=p.name, parsed=parser.parse(p)) for p in paths]
    result = gather(files, template_miner=Drain3TemplateMiner())
    diagnosis = diagnose_offline(summary=result.summary, anomalies=result.anomalies)
    return diagnosis.component, diagnosis.severity


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--seeds", default="1,2,3")
    args.add_argument("--files", type=int, default=2)
    args.add_argument("--size", default="1MB")
    opts = args.parse_args()
    seeds = [int(s) for s in opts.seeds.split(",")]
    size = parse_size(opts.size)
    hits = severe = total = 0
    print(f"{'scenario':<24} {'seed':>4}  {'truth':<26} {'rules say':<26} ok")
    with tempfile.TemporaryDirectory() as tmp:
        for name in SCENARIOS:
            for seed in seeds:
                out = Path(tmp) / f"{name}-{seed}"
                paths, truth = generate_scenario(out, name, seed, files=opts.files, size=size)
                component, severity = diagnose(paths)
                ok = _correct(truth, component)
                hits, total = hits + ok, total + 1
                severe += ok and severity == truth.severity
                expected = "+".join(c.component for c in truth.root_causes) or "none"
                shown, said = f"{expected} ({truth.severity})", f"{component} ({severity})"
                print(f"{name:<24} {seed:>4}  {shown:<26} {said:<26} {'yes' if ok else 'no'}")
    print(f"top-1 component accuracy: {hits}/{total} = {hits / total:.0%}")
    print(f"component and severity right: {severe}/{total} = {severe / total:.0%}")


def _correct(truth: GroundTruth, component: str) -> bool:
    if truth.healthy:
        return component == "none"
    return component in {cause.component for cause in truth.root_causes}


if __name__ == "__main__":
    main()
