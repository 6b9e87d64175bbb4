"""`argus demo`: the whole pipeline on one machine, end to end, through the HTTP API."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from argus.cli.client import ArgusClient, bearer, total_size
from argus.cli.config_cmd import exit_on_start, load_or_exit
from argus.cli.demo_tokens import DemoTokens, demo_tokens
from argus.cli.report_view import print_report
from argus.infrastructure.embedded.process import StartError

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


def _how_to_use(tokens: DemoTokens, url: str) -> None:
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


def register(app: typer.Typer) -> None:
    """Add `argus demo` and `argus load-demo`."""

    @app.command("load-demo")
    def load_demo(
        ingest_url: str = typer.Option("http://127.0.0.1:8081", help="The ingestor."),
        query_url: str = typer.Option("http://127.0.0.1:8080", help="The query service."),
        files: int = typer.Option(4, min=1),
        megabytes: int = typer.Option(20, min=1),
        fault: str = typer.Option("lidar-dropout"),
    ) -> None:
        """Upload batch-101 to running services (distributed mode) and print its report."""
        settings = load_or_exit()
        paths = demo_files(settings.app.data_dir, files=files, megabytes=megabytes, fault=fault)
        tokens = asyncio.run(demo_tokens(settings, DEMO_VEHICLE))
        status = asyncio.run(upload_and_follow(ingest_url, paths, tokens, query_url=query_url))
        _how_to_use(tokens, query_url)
        if status != 200:
            raise typer.Exit(1)

    @app.command()
    def demo(
        exit_after: bool = typer.Option(
            False, "--exit", envvar="ARGUS_DEMO_EXIT", help="Exit after printing the report."
        ),
        files: int = typer.Option(4, min=1, help="Files in the demo batch."),
        megabytes: int = typer.Option(20, min=1, help="Approximate size of each file."),
        fault: str = typer.Option("lidar-dropout", help="Fault injected into the drive."),
    ) -> None:
        """Start the embedded stack, upload batch-101, print its diagnosis, keep serving."""
        from argus.entrypoints.embedded import serve

        settings = load_or_exit()
        if "log_level" not in settings.app.model_fields_set:  # quiet unless asked otherwise
            settings.app.log_level = "WARNING"
        paths = demo_files(settings.app.data_dir, files=files, megabytes=megabytes, fault=fault)
        # Before the server starts: the admin commands start the data dir's PostgreSQL for
        # themselves when nothing runs it yet.
        tokens = asyncio.run(demo_tokens(settings, DEMO_VEHICLE))
        outcome: dict[str, int] = {}

        async def on_ready(server: uvicorn.Server) -> None:
            base_url = f"http://127.0.0.1:{settings.app.http_port}"
            try:
                outcome["status"] = await upload_and_follow(base_url, paths, tokens)
            except Exception as exc:
                console.print(f"[red]demo failed:[/red] {exc}")
                outcome["status"] = 500
                server.should_exit = True
                return
            if exit_after:
                server.should_exit = True
            else:
                _how_to_use(tokens, f"http://localhost:{settings.app.http_port}")
                console.print("Ctrl-C to stop.")

        try:
            asyncio.run(serve(settings, on_ready=on_ready))
        except StartError as exc:
            exit_on_start(exc)
        if outcome.get("status") != 200:
            raise typer.Exit(1)
