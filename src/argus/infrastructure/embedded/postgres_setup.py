"""Access control of the embedded PostgreSQL: pg_hba.conf, the superuser's password and the
application role the app connects as (not a superuser; owner of its database)."""

from __future__ import annotations

from pathlib import Path

APP_ROLE = "argus"
SUPERUSER = "postgres"

# Passwords everywhere (SCRAM): over the 0700 socket directory and over loopback TCP.
LOCKED_HBA = (
    "# Written by Argus on every start (docs/decisions/0027-locked-down-embedded-servers.md).\n"
    "local  all  all                scram-sha-256\n"
    "host   all  all  127.0.0.1/32  scram-sha-256\n"
)
# Only while upgrading a cluster whose superuser has no password yet (initdb'd with
# --auth=trust before Argus set passwords): the superuser alone, through the socket in a
# directory only the server's account (and root) can enter; TCP is refused meanwhile.
UPGRADE_HBA = "local  all  postgres  trust\n"


def needs_upgrade(data_dir: Path) -> bool:
    """A cluster from before passwords (initdb --auth=trust), or an upgrade cut short."""
    try:
        lines = (data_dir / "pg_hba.conf").read_text().splitlines()
    except FileNotFoundError:
        return False
    return any("trust" in line.split("#", 1)[0].split() for line in lines)


def write_hba(data_dir: Path, text: str) -> None:
    """Replace pg_hba.conf (read by the server at start and on reload)."""
    (data_dir / "pg_hba.conf").write_text(text)


def roles_sql(*, superuser_password: str, app_password: str) -> str:
    """Passwords of both roles (kept in sync with their files), the app role stripped of
    every privilege a superuser has."""
    return f"""
DO $$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} LOGIN;
  END IF;
END$$;
ALTER ROLE {APP_ROLE} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD '{app_password}';
ALTER ROLE {SUPERUSER} WITH PASSWORD '{superuser_password}';
"""


def database_exists_sql(name: str) -> str:
    return f"SELECT 1 FROM pg_database WHERE datname = '{name}'"


def create_database_sql(name: str) -> str:
    return f"CREATE DATABASE {name} OWNER {APP_ROLE}"


def owner_sql(name: str) -> str:
    return f"ALTER DATABASE {name} OWNER TO {APP_ROLE}"


# Run in the app's database by the superuser: pgvector is not a trusted extension, so the app
# role cannot create it; objects an older Argus created as the superuser are handed over (the
# extension's own objects stay the superuser's).
DATABASE_SQL = f"""
CREATE EXTENSION IF NOT EXISTS vector;
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT format('ALTER TABLE %s OWNER TO {APP_ROLE}', c.oid::regclass) AS stmt
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
      AND c.relowner <> '{APP_ROLE}'::regrole
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
    UNION ALL
    SELECT format('ALTER ROUTINE %s OWNER TO {APP_ROLE}', p.oid::regprocedure)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.proowner <> '{APP_ROLE}'::regrole
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE r.stmt;
  END LOOP;
END$$;
"""
