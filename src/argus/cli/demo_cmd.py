"""`argus demo`: the whole pipeline on one machine, end to end, through the HTTP API.

Only the options live here: the commands import `demo_flow` (httpx, uvicorn, rich) when they run,
so `argus --help` does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    import uvicorn


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
        import asyncio

        from argus.cli.config_cmd import load_or_exit
        from argus.cli.demo_flow import (
            DEMO_VEHICLE,
            demo_files,
            how_to_use,
            upload_and_follow,
        )
        from argus.cli.demo_tokens import demo_tokens

        settings = load_or_exit()
        paths = demo_files(settings.app.data_dir, files=files, megabytes=megabytes, fault=fault)
        tokens = asyncio.run(demo_tokens(settings, DEMO_VEHICLE))
        status = asyncio.run(upload_and_follow(ingest_url, paths, tokens, query_url=query_url))
        how_to_use(tokens, query_url)
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
        import asyncio

        import uvloop

        from argus.cli.config_cmd import exit_on_start, load_or_exit
        from argus.cli.demo_flow import (
            DEMO_VEHICLE,
            console,
            demo_files,
            how_to_use,
            upload_and_follow,
        )
        from argus.cli.demo_tokens import demo_tokens
        from argus.entrypoints.embedded import serve
        from argus.infrastructure.embedded.process import StartError

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
                how_to_use(tokens, f"http://localhost:{settings.app.http_port}")
                console.print("Ctrl-C to stop.")

        try:
            uvloop.run(serve(settings, on_ready=on_ready))
        except StartError as exc:
            exit_on_start(exc)
        if outcome.get("status") != 200:
            raise typer.Exit(1)
