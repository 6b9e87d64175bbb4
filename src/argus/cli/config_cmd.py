"""`argus config`: the effective settings, one row per variable, secrets masked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import typer

if TYPE_CHECKING:  # imported inside the functions: `argus --help` does not load the settings
    from argus.config import Settings, SettingsError
    from argus.infrastructure.embedded.process import StartError

MASK = "**********"


def load_or_exit() -> Settings:
    """The validated settings tree; a bad or missing value ends the command with code 2."""
    from argus.config import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as exc:
        exit_on(exc)
        raise  # not reached: exit_on raises


def exit_on(exc: SettingsError) -> None:
    """One line on stderr, exit code 2 (a usage error), no traceback."""
    typer.echo(f"argus: invalid settings: {exc}", err=True)
    raise typer.Exit(2) from exc


def exit_on_start(exc: StartError) -> None:
    """An embedded server cannot start (its port is taken, ...): one line, exit code 1."""
    typer.echo(f"argus: {exc}", err=True)
    raise typer.Exit(1) from exc


def effective(settings: Settings) -> dict[str, dict[str, str | int | float | bool | None]]:
    """Section → variable → value, as the process sees it; secrets masked."""
    from pydantic_settings import BaseSettings

    from argus.config import env_name

    tree: dict[str, dict[str, str | int | float | bool | None]] = {}
    for section_name in type(settings).model_fields:
        section = getattr(settings, section_name)
        if not isinstance(section, BaseSettings):
            continue  # a section this process does not use (S3 with local blobs)
        tree[section_name] = {
            env_name(type(section), field): _shown(getattr(section, field))
            for field in type(section).model_fields
        }
    return tree


def _shown(value: object) -> str | int | float | bool | None:
    from pydantic import SecretStr

    if isinstance(value, SecretStr):
        return MASK if value.get_secret_value() else ""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str):
        return mask_url_password(value)
    if value is None or isinstance(value, int | float | bool):
        return value
    return str(value)


def mask_url_password(text: str) -> str:
    """`postgresql://u:secret@h/db` → `postgresql://u:**********@h/db`; other text as is."""
    if "://" not in text:
        return text
    parts = urlsplit(text)
    if parts.password is None:
        return text
    host = parts.netloc.rsplit("@", 1)[1]
    netloc = f"{parts.username or ''}:{MASK}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def register(app: typer.Typer) -> None:
    """Add `argus config`."""

    @app.command("config")
    def config(
        as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
    ) -> None:
        """Print the effective settings (environment and defaults), secrets masked."""
        import json

        from rich.console import Console
        from rich.table import Table

        tree = effective(load_or_exit())
        if as_json:
            typer.echo(json.dumps(tree, indent=2))
            return
        table = Table("section", "variable", "value")
        for section, values in tree.items():
            for name, value in values.items():
                table.add_row(section, name, "" if value is None else str(value))
        Console(width=120).print(table)
