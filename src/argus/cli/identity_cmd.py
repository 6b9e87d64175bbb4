"""`argus fleet|vehicle|token|audit`: identity administration, straight on PostgreSQL.

Whoever can run these commands against the deployment's database is its administrator; they
are audited as the `local-cli` admin. Imports stay inside the commands (CLI start-up time).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from argus.cli.config_cmd import load_or_exit

if TYPE_CHECKING:
    from argus.domain.identity import Caller
    from argus.entrypoints.admin import AdminSession

T = TypeVar("T")
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """`30d`, `12h`, `15m`, `90s` → a timedelta."""
    found = _DURATION.fullmatch(text.strip())
    if found is None or int(found.group(1)) == 0:
        raise typer.BadParameter(f"{text!r}: a positive number with s, m, h or d, like 30d")
    return timedelta(seconds=int(found.group(1)) * _UNIT_S[found.group(2)])


def run_admin(work: Callable[[AdminSession], Awaitable[T]]) -> T:
    """Run `work` in an admin session; a refused change ends the command with code 1."""
    import asyncio

    from argus.domain.errors import ArgusError
    from argus.entrypoints.admin import admin_session

    settings = load_or_exit()

    async def main() -> T:
        async with admin_session(settings) as session:
            return await work(session)

    try:
        return asyncio.run(main())
    except ArgusError as exc:
        typer.echo(f"argus: {exc.message}", err=True)
        raise typer.Exit(1) from exc


def _cli_caller() -> Caller:
    import getpass

    from argus.domain.identity import LOCAL_ADMIN, Caller

    return Caller(principal=LOCAL_ADMIN, address=f"cli:{getpass.getuser()}")


def register(app: typer.Typer) -> None:
    """Add the `fleet`, `vehicle`, `token` and `audit` commands."""
    fleet_app = typer.Typer(help="Fleets: the tenants.", no_args_is_help=True)
    vehicle_app = typer.Typer(help="Vehicles: each belongs to one fleet.", no_args_is_help=True)
    token_app = typer.Typer(help="API tokens (shown once, stored hashed).", no_args_is_help=True)
    app.add_typer(fleet_app, name="fleet")
    app.add_typer(vehicle_app, name="vehicle")
    app.add_typer(token_app, name="token")

    @fleet_app.command("create")
    def fleet_create(name: str) -> None:
        """Create a fleet (nothing happens if it exists)."""
        created = run_admin(lambda s: s.admin.create_fleet(_cli_caller(), name))
        typer.echo(f"fleet {name} {'created' if created else 'already exists'}")

    @vehicle_app.command("add")
    def vehicle_add(
        vehicle_id: str, fleet: Annotated[str, typer.Option("--fleet", help="Its fleet.")]
    ) -> None:
        """Register a vehicle in a fleet."""
        added = run_admin(lambda s: s.admin.add_vehicle(_cli_caller(), vehicle_id, fleet))
        typer.echo(f"vehicle {vehicle_id} {'added to' if added else 'already in'} fleet {fleet}")

    @token_app.command("create")
    def token_create(
        vehicle: Annotated[str | None, typer.Option(help="A vehicle token.")] = None,
        engineer: Annotated[str | None, typer.Option(help="An engineer token (a name).")] = None,
        admin: Annotated[bool, typer.Option("--admin", help="An admin token.")] = False,
        fleet: Annotated[str | None, typer.Option(help="The engineer's fleet.")] = None,
        expires_in: Annotated[str | None, typer.Option(help="Lifetime, like 30d.")] = None,
    ) -> None:
        """Create a token and print it once: it is stored only as a hash."""
        from argus.domain.identity import Role

        if sum((vehicle is not None, engineer is not None, admin)) != 1:
            raise typer.BadParameter("give exactly one of --vehicle, --engineer, --admin")
        role = Role.VEHICLE if vehicle else Role.ENGINEER if engineer else Role.ADMIN
        lifetime = None if expires_in is None else parse_duration(expires_in)
        issued = run_admin(
            lambda s: s.admin.issue(
                _cli_caller(),
                role=role,
                fleet_id=fleet,
                vehicle_id=vehicle,
                name=engineer,
                expires_in=lifetime,
            )
        )
        typer.echo(f"# {issued.record.token_id}: shown once, keep it secret", err=True)
        typer.echo(issued.secret)

    @token_app.command("revoke")
    def token_revoke(token_id: str) -> None:
        """Revoke a token by its id (takes effect within ARGUS_AUTH_TOKEN_CACHE_S)."""
        revoked = run_admin(lambda s: s.admin.revoke(_cli_caller(), token_id))
        typer.echo(f"token {token_id} {'revoked' if revoked else 'was already revoked'}")

    @token_app.command("list")
    def token_list(
        fleet: Annotated[str | None, typer.Option(help="One fleet only.")] = None,
    ) -> None:
        """Token ids, roles and state; never the secrets."""
        records = run_admin(lambda s: s.admin.tokens(_cli_caller(), fleet))
        for r in records:
            p = r.principal
            who = p.vehicle_id or p.name or "-"
            state = "revoked" if r.revoked_at else "active"
            if r.expires_at is not None and not r.revoked_at:
                state = f"expires {r.expires_at:%Y-%m-%d %H:%M}"
            typer.echo(f"{r.token_id}\t{p.role.value}\t{p.fleet_id or '-'}\t{who}\t{state}")

    @app.command("audit")
    def audit(
        fleet: Annotated[str | None, typer.Option(help="One fleet only.")] = None,
        action: Annotated[str | None, typer.Option(help="One action, like token.create.")] = None,
        limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    ) -> None:
        """The newest audit rows: when, who, what, from where."""
        rows = run_admin(
            lambda s: s.audit.page(fleet_id=fleet, action=action, before_id=None, limit=limit)
        )
        for e in rows:
            typer.echo(
                f"{e.entry_id}\t{e.at:%Y-%m-%dT%H:%M:%S}\t{e.token_id}\t{e.role}\t"
                f"{e.action.value}\t{e.target}\t{e.fleet_id or '-'}\t{e.client}"
            )
