"""Run the scenario suite through a running Argus over HTTP and score every batch.

Each scenario × seed is generated, uploaded and completed like a vehicle would, followed over
SSE until it is final, and its report scored against the ground truth written beside it.
Seeds run in rounds (every scenario for the first seed, then for the next), so a batch of a
later round is a repeated incident whose earlier runs are already diagnosed and stored; within
a round a few batches are in flight at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from argus.cli.client import ApiError, ArgusClient, bearer
from argus.evaluation.report_facts import ReportFacts
from argus.evaluation.results import BatchRow, batch_row
from argus.loggen.scenarios import GroundTruth, generate_scenario

__all__ = [
    "EMBEDDERS",
    "EvalOptions",
    "EvalTokens",
    "api_client",
    "generate",
    "parse_embedders",
    "parse_scenarios",
    "parse_seeds",
    "run_generated",
    "run_suite",
]

_REPORT_READY = 200
_POLL_S = 0.2
_BATCH_TIMEOUT_S = 600.0
_STATUS_CHARS = 200
# `ARGUS_EMBEDDER` values the evaluation can start a server with.
EMBEDDERS = ("hashed", "minilm", "openai")


@dataclass(frozen=True, slots=True)
class EvalOptions:
    """What to run: scenarios × seeds, the diagnoser, batch shape and batches in flight.

    `diagnoser` and `embedder` are the server's `ARGUS_DIAGNOSER` and `ARGUS_EMBEDDER` when the
    evaluation starts it, and the names its scores are reported under. `feedback` adds the
    feedback round (`argus.evaluation.feedback_round`).
    """

    scenarios: tuple[str, ...]
    seeds: tuple[int, ...]
    diagnoser: str = "rules"
    embedder: str = "hashed"
    feedback: bool = False
    files: int = 2
    size_bytes: int = 1_000_000
    concurrency: int = 3
    vehicle_id: str = "veh-eval"


async def run_suite(
    base_url: str,
    options: EvalOptions,
    *,
    work_dir: Path,
    run_tag: str,
    on_row: Callable[[BatchRow], None] = lambda _row: None,
    transport: httpx.AsyncBaseTransport | None = None,
    token: str | None = None,
) -> list[BatchRow]:
    """Every scenario × seed as one batch named `eval-<run_tag>-<scenario>-s<seed>`.

    `transport` replaces the network (tests pass an `httpx.MockTransport`); `token` is the
    vehicle token of `options.vehicle_id` (it writes and reads its own batches).
    """
    rows: list[BatchRow] = []
    limit = asyncio.Semaphore(options.concurrency)
    async with api_client(base_url, transport, token) as http:
        client = ArgusClient(http)

        async def one(name: str, seed: int, *, repeated: bool) -> None:
            async with limit:
                row = await _run_batch(
                    client, options, name, seed, work_dir, run_tag, repeated=repeated
                )
            rows.append(row)
            on_row(row)

        for round_index, seed in enumerate(options.seeds):
            async with asyncio.TaskGroup() as group:
                for name in options.scenarios:
                    group.create_task(one(name, seed, repeated=round_index > 0))
    return sorted(rows, key=lambda r: (options.seeds.index(r.seed), r.scenario))


@dataclass(frozen=True, slots=True)
class EvalTokens:
    """Who the evaluation is: the vehicle uploads and reads its own batches, the engineer
    corrects diagnoses (the feedback round). None: the API is called without a token."""

    vehicle: str | None
    engineer: str | None


def api_client(
    base_url: str, transport: httpx.AsyncBaseTransport | None = None, token: str | None = None
) -> httpx.AsyncClient:
    """The one HTTP client of an evaluation, as the holder of `token`."""
    timeout = httpx.Timeout(60, read=_BATCH_TIMEOUT_S)
    headers = {} if token is None else bearer(token)
    return httpx.AsyncClient(
        base_url=base_url, timeout=timeout, transport=transport, headers=headers
    )


async def _run_batch(
    client: ArgusClient,
    options: EvalOptions,
    name: str,
    seed: int,
    work_dir: Path,
    run_tag: str,
    *,
    repeated: bool,
) -> BatchRow:
    paths, truth = await generate(options, name, seed, work_dir)
    row, _facts = await run_generated(client, options, paths, truth, run_tag, repeated=repeated)
    return row


async def generate(
    options: EvalOptions, name: str, seed: int, work_dir: Path
) -> tuple[list[Path], GroundTruth]:
    """One scenario × seed's files and ground truth, under `work_dir`."""
    paths, truth = await asyncio.to_thread(
        generate_scenario,
        work_dir / f"{name}-s{seed}",
        name,
        seed,
        files=options.files,
        size=options.size_bytes,
        vehicle_id=options.vehicle_id,
    )
    return list(paths), truth


async def run_generated(
    client: ArgusClient,
    options: EvalOptions,
    paths: Sequence[Path],
    truth: GroundTruth,
    run_tag: str,
    *,
    repeated: bool,
) -> tuple[BatchRow, ReportFacts]:
    """Upload generated files as batch `eval-<run_tag>-<scenario>-s<seed>`, score its report."""
    batch_id = batch_name(run_tag, truth.scenario, truth.seed)
    started = time.monotonic()
    try:
        await client.create_batch(vehicle_id=options.vehicle_id, batch_id=batch_id)
        for path in paths:
            await client.upload(batch_id, path, on_bytes=lambda _n: None)
        started = time.monotonic()
        await client.complete(batch_id)
        report = await asyncio.wait_for(_final_report(client, batch_id), _BATCH_TIMEOUT_S)
    except (ApiError, httpx.HTTPError, TimeoutError) as exc:
        # A batch the server did not finish misses on every metric; the other batches go on.
        report = {"status": f"error: {type(exc).__name__}: {exc}"[:_STATUS_CHARS]}
    latency_s = time.monotonic() - started
    facts = ReportFacts.from_report(report)
    row = batch_row(truth, facts, batch_id=batch_id, latency_s=latency_s, repeated=repeated)
    return row, facts


def batch_name(run_tag: str, scenario: str, seed: int) -> str:
    """The batch id of one scenario × seed in one run."""
    return f"eval-{run_tag}-{scenario}-s{seed}"


async def _final_report(client: ArgusClient, batch_id: str) -> dict[str, Any]:
    # The progress stream ends once the batch is final; the report may lag it by a cache
    # refresh, so a 202 after the stream ends is polled until it turns into the report.
    async for _event in client.follow(batch_id):
        pass
    while True:
        status, report = await client.report(batch_id)
        if status == _REPORT_READY:
            return report
        await asyncio.sleep(_POLL_S)


def parse_seeds(text: str) -> tuple[int, ...]:
    """`--seeds`: a count N (seeds 1..N) or a comma-separated list of distinct seeds."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    seeds = (
        tuple(range(1, int(parts[0]) + 1))
        if len(parts) == 1 and "," not in text
        else tuple(int(p) for p in parts)
    )
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"--seeds needs a count >= 1 or distinct seeds, got {text!r}")
    return seeds


def parse_embedders(text: str) -> tuple[str, ...]:
    """`--embedder`: a comma-separated list of distinct `EMBEDDERS`."""
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in EMBEDDERS]
    if unknown or not names:
        raise ValueError(f"unknown embedders {unknown}; known: {', '.join(EMBEDDERS)}")
    return names


def parse_scenarios(text: str, known: Sequence[str]) -> tuple[str, ...]:
    """`--scenarios`: "all" or a comma-separated list of distinct known scenario names."""
    if text.strip() == "all":
        return tuple(known)
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ValueError(f"unknown scenarios {unknown}; known: {', '.join(known)} or all")
    return names
