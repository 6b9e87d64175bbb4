"""The workings of `argus demo` and `argus load-demo` (imported by them when they run)."""

from __future__ import annotations

from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from argus.cli.client import ArgusClient, bearer, total_size
from argus.cli.demo_tokens import DemoTokens
from argus.cli.report_view import print_report

DEMO_BATCH = "batch-101"
DEMO_VEHICLE = "veh-001"
console = Console()


def demo_files(data_dir: Path, *, files: int, megabytes: int, fault: str) -> list[Path]:
    """Generate (once) the demo drive: `files` parts with one injected fault."""
    from argus.loggen import generate_batch, parse_fault

    out_dir = data_dir / "demo" / DEMO_BATCH
    existing = sorted(out_dir.glob("*.mcap"))
    if len(existing) == files:
        return existing
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in existing:
        stale.unlink()
    with console.status(f"generating {files} drive logs of ~{megabytes} MB with fault {fault}"):
        return generate_batch(
            out_dir,
            vehicle_id=DEMO_VEHICLE,
            files=files,
            seed=101,
            target_bytes_per_file=megabytes * 1_000_000,
            faults=[parse_fault(fault)],
        )


async def upload_and_follow(
    base_url: str, paths: list[Path], tokens: DemoTokens, *, query_url: str | None = None
) -> int:
    """Create batch-101 with the vehicle's token, upload its files, follow progress and print
    the report with the engineer's.

    `query_url` is the query service when reads are served apart from ingest (distributed)."""
    timeout = httpx.Timeout(60, read=600)
    async with (
        httpx.AsyncClient(
            base_url=base_url, timeout=timeout, headers=bearer(tokens.vehicle)
        ) as http,
        httpx.AsyncClient(
            base_url=query_url or base_url, timeout=timeout, headers=bearer(tokens.engineer)
        ) as reads,
    ):
        client = ArgusClient(http, reads=reads)
        batch = await client.create_batch(vehicle_id=DEMO_VEHICLE, batch_id=DEMO_BATCH)
        if batch["status"] == "pending":
            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=console,
            ) as bar:
                task = bar.add_task("uploading", total=total_size(paths))
                for path in paths:
                    bar.update(task, description=f"uploading {path.name}")
                    # A demo interrupted mid-upload left some of these files: send them again.
                    await client.upload(
                        DEMO_BATCH, path, on_bytes=lambda n: bar.advance(task, n), replace=True
                    )
            completed = await client.complete(DEMO_BATCH)
            console.print(
                f"completed upload of {completed['total_files']} files → {completed['status']}"
            )
        else:
            console.print(f"{DEMO_BATCH} already exists ({batch['status']}); following it")
        async for event_id, data in client.follow(DEMO_BATCH):
            console.print(f"  [dim]{event_id}[/dim] {_describe(data)}")
        status, report = await client.report(DEMO_BATCH)
        print_report(console, report)
        return status


def how_to_use(tokens: DemoTokens, url: str) -> None:
    token_file = tokens.engineer_file
    console.print(
        f"\nServing on {url}. Every route but /healthz needs a token: an engineer's is in"
        f" {token_file}, the vehicle {DEMO_VEHICLE}'s in {token_file.parent}/demo-vehicle-token"
        " (both 0600). Try:\n"
        f'  ab -n 1000 -c 100 -H "Authorization: Bearer $(cat {token_file})"'
        f" {url}/api/report/{DEMO_BATCH}"
    )


def _describe(data: dict[str, object]) -> str:
    if data.get("type") == "status":
        return f"[bold]status[/bold] {data.get('previous')} → [bold]{data.get('status')}[/bold]"
    if data.get("type") == "file_parsed":
        return f"file parsed {data.get('file_id')} ({data.get('messages')} messages)"
    return f"[red]file failed[/red] {data.get('file_id')}: {data.get('reason')}"
