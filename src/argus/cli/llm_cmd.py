"""`argus llm serve`: a local llama.cpp chat server for `ARGUS_DIAGNOSER=llm`, no cloud.

The weights are the user's file; nothing is downloaded. The server needs the `llm` extra
(`pip install 'argus[llm]'`, llama-cpp-python compiled from source).
"""

from __future__ import annotations

from pathlib import Path

import typer

from argus.domain.errors import ArgusError

llm_app = typer.Typer(help="A local language model for the diagnosis.", no_args_is_help=True)


@llm_app.command()
def serve(
    model: Path = typer.Option(..., "--model", help="A GGUF file, e.g. PATH/model.Q4_K_M.gguf."),
    host: str = typer.Option("127.0.0.1", help="Listen address (loopback unless you say so)."),
    port: int = typer.Option(8000, min=1, max=65535, help="Listen port."),
    threads: int | None = typer.Option(
        None, min=1, help="CPU threads. Default: llama-cpp-python's (half the cores)."
    ),
    ctx: int = typer.Option(8192, min=512, help="Context size in tokens (prompt + answer)."),
) -> None:
    """Serve PATH.gguf on an OpenAI-compatible /v1 API until Ctrl-C (ARGUS_LLM_URL)."""
    from argus.infrastructure.llm.llama_server import llama_app

    try:
        app = llama_app(model_path=model.expanduser(), n_ctx=ctx, n_threads=threads)
    except ArgusError as exc:
        typer.echo(f"argus llm serve: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    import uvicorn

    typer.echo(f"serving {model.name}: ARGUS_LLM_URL=http://{host}:{port}", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add `argus llm …`."""
    app.add_typer(llm_app, name="llm")
