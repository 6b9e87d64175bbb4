"""The labeled scenario suite: every scenario's files show what its ground truth claims."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from mcap.reader import make_reader
from mcap_ros2.decoder import DecoderFactory
from typer.testing import CliRunner

from argus.cli import scenarios_cmd
from argus.domain.analysis import SEVERITIES
from argus.domain.component import component_of
from argus.domain.parsed_file import ParsedFile
from argus.infrastructure.parsing import PythonMcapParser
from argus.loggen import DEFAULT_START_NS
from argus.loggen.scenarios import (
    GROUND_TRUTH_FILE,
    SCENARIOS,
    ChainStep,
    GroundTruth,
    generate_scenario,
)

pytestmark = pytest.mark.unit

S = 1_000_000_000
MS = 1_000_000
SEEDS = (1, 2)
SIZE = 150_000  # one 20 s file per batch: the smallest the generator writes
PARSER = PythonMcapParser()
DIAG_PERIOD_S = 1.0


@dataclass
class Batch:
    truth: GroundTruth
    paths: list[Path]
    parsed: list[ParsedFile]
    log_times: list[int]  # every message's log_time, in file order
    topic_times: dict[str, list[int]]
    logs: list[tuple[int, int, str, str]]  # (log_time, level, node, msg) from /rosout

    def t_ns(self, seconds: float) -> int:
        return DEFAULT_START_NS + round(seconds * S)

    def span(self, step: ChainStep, slack_ns: int = MS) -> tuple[int, int]:
        """The step's window widened by `slack_ns` (truth times are rounded to the ms).

        A backward clock jump's step ends before it starts (the clock read less after it).
        """
        low, high = sorted((step.start_s, step.end_s))
        return self.t_ns(low) - slack_ns, self.t_ns(high) + slack_ns


def _read(paths: list[Path]) -> tuple[list[int], dict[str, list[int]], list[Any]]:
    order: list[int] = []
    per_topic: dict[str, list[int]] = {}
    logs = []
    factory = DecoderFactory()
    for path in paths:
        with open(path, "rb") as stream:
            # Only /rosout is decoded: the rest is counted, which keeps the suite fast.
            for schema, channel, message in make_reader(stream).iter_messages(log_time_order=False):
                order.append(message.log_time)
                per_topic.setdefault(channel.topic, []).append(message.log_time)
                if channel.topic == "/rosout":
                    decode = factory.decoder_for(channel.message_encoding, schema)
                    assert decode is not None
                    log = decode(message.data)
                    logs.append((message.log_time, log.level, log.name, log.msg))
    return order, per_topic, logs


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], Batch]:
    out = tmp_path_factory.mktemp("scenarios")
    result = {}
    for name in SCENARIOS:
        for seed in SEEDS:
            paths, truth = generate_scenario(out / f"{name}-{seed}", name, seed, files=1, size=SIZE)
            order, per_topic, logs = _read(paths)
            parsed = [PARSER.parse(p) for p in paths]
            result[name, seed] = Batch(truth, paths, parsed, order, per_topic, logs)
    return result


CASES = [(name, seed) for name in SCENARIOS for seed in SEEDS]


def _steps(batch: Batch) -> list[ChainStep]:
    return [step for cause in batch.truth.root_causes for step in cause.chain]


def test_the_suite_has_at_least_fourteen_scenarios_with_known_severities() -> None:
    assert len(SCENARIOS) >= 14
    assert {"healthy", "two-faults", "power-brownout", "recorder-disk-full"} <= set(SCENARIOS)
    assert all(s.severity in (None, *SEVERITIES) for s in SCENARIOS.values())


@pytest.mark.parametrize(("name", "seed"), CASES)
def test_ground_truth_matches_the_catalogue_and_round_trips(
    batches: dict[tuple[str, int], Batch], name: str, seed: int
) -> None:
    batch = batches[name, seed]
    truth = batch.truth
    written = (batch.paths[0].parent / GROUND_TRUTH_FILE).read_text(encoding="utf-8")
    assert GroundTruth.from_json(written) == truth
    assert truth.files == tuple(p.name for p in batch.paths)
    scenario = SCENARIOS[name]
    if scenario.component is not None:
        assert (truth.component, truth.severity) == (scenario.component, scenario.severity)
    expected_causes = {"healthy": 0, "two-faults": 2}.get(name, 1)
    assert len({c.component for c in truth.root_causes}) == expected_causes
    assert truth.healthy == (expected_causes == 0)
    for cause in truth.root_causes:
        root = cause.chain[0]
        # The names a diagnosis sees where the fault starts lead to the component to blame.
        names = [*root.topics, *root.diagnostics, *root.nodes]
        assert cause.component in {component_of(n) for n in names}
        for step in cause.chain:
            assert 0 <= step.start_s <= truth.duration_s


@pytest.mark.parametrize(("name", "seed"), CASES)
def test_files_parse_cleanly(batches: dict[tuple[str, int], Batch], name: str, seed: int) -> None:
    for parsed in batches[name, seed].parsed:
        assert parsed.complete and parsed.errors == []


def _in(times: list[int], start: int, end: int) -> list[int]:
    return [t for t in times if start <= t < end]


def _check_topic(batch: Batch, step: ChainStep) -> None:
    start, end = batch.span(step, -MS if step.topic_effect == "silent" else MS)
    if step.topic_effect == "clock-jump":
        jump = batch.t_ns(step.end_s) - batch.t_ns(step.start_s)
        steps = [b - a for a, b in zip(batch.log_times, batch.log_times[1:], strict=False)]
        assert any(abs(d - jump) < 0.05 * S for d in steps), "no jump in log_time"
        return
    for topic in step.topics:
        times = batch.topic_times[topic]
        inside = _in(times, start, end)
        if step.topic_effect == "silent":
            assert inside == [], f"{topic} not silent in {step}"
            assert _in(times, start - S, start), f"{topic} silent before {step}"
        elif step.topic_effect == "slow":
            before = _in(times, start - 3 * S, start)
            assert len(inside) / (end - start) < 0.5 * len(before) / (3 * S)
        else:  # content changes: the topic keeps publishing
            assert len(inside) > 0


def _check_logs(batch: Batch, step: ChainStep) -> None:
    start, end = batch.span(step)
    for node in step.nodes:
        said = [t for t, level, n, _ in batch.logs if n == node and level >= 30]
        # A node's last word may follow the step's end (a recovery note).
        assert _in(said, start, end + S // 2), f"{node} silent during {step}"


def _check_diagnostics(batch: Batch, step: ChainStep) -> None:
    start, end = batch.span(step)
    events = [e for p in batch.parsed for e in p.diagnostic_events]
    for name in step.diagnostics:
        hits = [e for e in events if e.name == name and start <= e.t_ns < end]
        assert hits, f"no non-OK {name} during {step}"


@pytest.mark.parametrize(("name", "seed"), CASES)
def test_files_show_the_symptoms_the_ground_truth_claims(
    batches: dict[tuple[str, int], Batch], name: str, seed: int
) -> None:
    batch = batches[name, seed]
    for step in _steps(batch):
        _check_topic(batch, step)
        _check_logs(batch, step)
        _check_diagnostics(batch, step)


@pytest.mark.parametrize(("name", "seed"), CASES)
def test_nothing_abnormal_happens_outside_the_claimed_steps(
    batches: dict[tuple[str, int], Batch], name: str, seed: int
) -> None:
    batch = batches[name, seed]
    windows = [(batch.t_ns(s.start_s), batch.t_ns(s.end_s) + S) for s in _steps(batch)]
    claimed = {n for s in _steps(batch) for n in (*s.nodes, *s.diagnostics)}
    for parsed in batch.parsed:
        for event in [*parsed.log_events, *parsed.diagnostic_events]:
            source = getattr(event, "node", None) or getattr(event, "name", "")
            assert source in claimed, f"unclaimed {event}"
            assert any(a - DIAG_PERIOD_S * S <= event.t_ns < b for a, b in windows)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_healthy_drive_has_no_injected_symptoms(
    batches: dict[tuple[str, int], Batch], seed: int
) -> None:
    batch = batches["healthy", seed]
    assert batch.truth.healthy and batch.truth.component == "none"
    for parsed in batch.parsed:
        assert parsed.log_events == [] and parsed.diagnostic_events == []
        for topic, stats in parsed.topics.items():
            if topic != "/rosout":
                assert stats.max_gap is not None and stats.mean_rate_hz > 0
                assert stats.max_gap.duration_ns < 1.5 * S / stats.mean_rate_hz, topic
    assert sorted(batch.log_times) == batch.log_times  # no clock jump


def _wording(batch: Batch) -> set[str]:
    """The injected WARN+ lines (the claimed nodes' lines in the claimed windows), numbers out."""
    said = set()
    for step in _steps(batch):
        start, end = batch.span(step, S // 2)
        said |= {
            re.sub(r"[-+]?\d[\d.]*", "#", msg)
            for t, level, node, msg in batch.logs
            if level >= 30 and node in step.nodes and start <= t < end
        }
    return said


@pytest.mark.parametrize("name", [n for n in SCENARIOS if n != "healthy"])
def test_wording_differs_between_seeds(batches: dict[tuple[str, int], Batch], name: str) -> None:
    first, second = (_wording(batches[name, seed]) for seed in SEEDS)
    assert first and second and first != second


@pytest.mark.parametrize("name", ["power-brownout", "time-sync-loss", "two-faults"])
def test_same_scenario_and_seed_give_the_same_bytes(tmp_path: Path, name: str) -> None:
    runs = [generate_scenario(tmp_path / str(i), name, 7, files=1, size=SIZE) for i in range(2)]
    digests = [[hashlib.sha256(p.read_bytes()).hexdigest() for p in paths] for paths, _ in runs]
    assert digests[0] == digests[1] and runs[0][1] == runs[1][1]


def test_content_faults_change_the_messages(batches: dict[tuple[str, int], Batch]) -> None:
    decoded = _decode(batches["can-bus-off", 1], "can")
    assert any(m.is_error for m in decoded)
    decoded = _decode(batches["imu-saturation", 1], "imu")
    assert any(abs(m.linear_acceleration.x) > 150 for m in decoded)
    decoded = _decode(batches["gnss-no-fix", 1], "gnss")
    assert any(m.status.status == -1 for m in decoded)


def _decode(batch: Batch, component: str) -> list[Any]:
    step = next(s for s in _steps(batch) if s.topic_effect == "content")
    assert component_of(step.topics[0]) == component
    with open(batch.paths[0], "rb") as stream:
        reader = make_reader(stream, decoder_factories=[DecoderFactory()])
        return [m for *_, m in reader.iter_decoded_messages(topics=[step.topics[0]])]


def test_an_unknown_scenario_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        generate_scenario(tmp_path, "no-such-scenario", 1)


# --- CLI ---------------------------------------------------------------------------------------


def _cli() -> typer.Typer:
    app = typer.Typer()
    scenarios_cmd.register(app)
    return app


def test_scenarios_command_lists_every_scenario_with_its_root_cause() -> None:
    result = CliRunner().invoke(_cli(), ["scenarios"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1] for line in result.output.splitlines()}
    assert rows == {s.name: s.component or "varies" for s in SCENARIOS.values()}


def test_gen_scenario_command_writes_the_batch_and_its_ground_truth(tmp_path: Path) -> None:
    args = ["gen-scenario", "--scenario", "can-bus-off", "--seed", "3", "--out", str(tmp_path)]
    result = CliRunner().invoke(_cli(), [*args, "--files", "1", "--size", "150KB"])
    assert result.exit_code == 0, result.output
    truth = GroundTruth.from_json((tmp_path / GROUND_TRUTH_FILE).read_text(encoding="utf-8"))
    assert (truth.scenario, truth.seed, truth.component) == ("can-bus-off", 3, "can")
    assert [(tmp_path / f).exists() for f in truth.files] == [True]


@pytest.mark.parametrize(
    "args", [["--scenario", "bogus"], ["--scenario", "healthy", "--size", "x"]]
)
def test_gen_scenario_command_rejects_bad_options(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(_cli(), ["gen-scenario", "--out", str(tmp_path), *args])
    assert result.exit_code == 2
