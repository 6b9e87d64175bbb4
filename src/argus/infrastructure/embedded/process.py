"""Child-process helpers shared by the embedded servers."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from argus.domain.errors import Unavailable


class StartError(Exception):
    """An embedded server cannot start (its port is taken, ...): said in one line."""


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now.

    Chosen below Linux's ephemeral range (32768+): a port the kernel handed out with
    bind(0) can be taken by any outgoing connection before our server binds it."""
    for _ in range(200):
        port = secrets.randbelow(_HIGH - _LOW) + _LOW
        if port_free(port):
            return port
    raise RuntimeError("no free port found")


_LOW, _HIGH = 20_000, 32_000


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when a server could listen on `host:port` now (SO_REUSEADDR, as servers bind:
    connections in TIME_WAIT do not count, a listening socket does)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """True when something accepts TCP connections on `host:port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def claim_port(record: Path, requested: int | None, *, what: str, variable: str) -> int:
    """The port a server listens on: `requested` (it must be free), else the one recorded in
    `record` on an earlier start, else a new free one, recorded for the next start."""
    if requested is not None:
        if not port_free(requested):
            raise StartError(port_in_use(what, requested, variable))
        return requested
    try:
        recorded = int(record.read_text().strip())
    except (FileNotFoundError, ValueError):
        recorded = None
    if recorded is not None and port_free(recorded):
        return recorded
    port = free_port()
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(f"{port}\n")
    return port


def port_in_use(
    what: str, port: int, variable: str, *, host: str = "127.0.0.1", unset_picks: bool = True
) -> str:
    """The one line a start fails with when its port is taken."""
    fix = f"set {variable} to a free port" + (" or leave it unset" if unset_picks else "")
    return f"{what} cannot listen on {host}:{port}: the port is in use (another server?); {fix}"


def require_free(port: int, *, host: str, what: str, variable: str) -> None:
    """`StartError` unless a server could listen on `host:port` now (a port with a default)."""
    if not port_free(port, host):
        raise StartError(port_in_use(what, port, variable, host=host, unset_picks=False))


def known_port(bound: int | None, record: Path, configured: int | None, *, what: str) -> int:
    """The port a server listens on: the one it bound, else the one its last start recorded
    (for a command reaching a running server), else the configured one."""
    try:
        recorded: int | None = int(record.read_text().strip())
    except (FileNotFoundError, ValueError):
        recorded = None
    port = bound or recorded or configured
    if port is None:
        raise StartError(f"no {what} has been started under {record.parent} yet")
    return port


def read_secret(path: Path) -> str:
    """A password kept by `secret`; `StartError` if its server never started."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        raise StartError(f"no password at {path}: start the embedded servers first") from None
    except PermissionError:
        raise StartError(f"cannot read {path}: run as the user that runs argus serve") from None


def secret(path: Path) -> str:
    """The password kept in `path` (mode 0600, its folder 0700), generated on first use."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(24)  # 192 bits; hex needs no quoting in URLs, SQL or configs
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(value + "\n")
    return value


def wait_until(
    ready: Callable[[], bool],
    *,
    what: str,
    timeout_s: float,
    process: subprocess.Popen[bytes] | None,
    log: Path,
    taken: str | None = None,
) -> None:
    """Poll `ready` until it holds; fail loudly (with the log's tail) on exit or timeout, or
    with the one line `taken` when the server exited because its port was in use."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        # Exit first: a server that could not bind must fail even if another one answers.
        if process is not None and process.poll() is not None:
            logged = tail(log)
            if taken is not None and "Address already in use" in logged:
                raise StartError(taken)  # taken between our check and its bind
            raise Unavailable(f"{what} exited with code {process.returncode}: {logged}")
        if ready():
            return
        time.sleep(0.1)
    raise Unavailable(f"{what} not ready after {timeout_s:.0f} s: {tail(log)}")


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a log file, for error messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except (FileNotFoundError, PermissionError):
        return "(no log)"


def stop(process: subprocess.Popen[bytes], *, signal_first: int, timeout_s: float = 20.0) -> None:
    """Ask a child to stop with `signal_first`, kill it if it does not."""
    if process.poll() is not None:
        return
    process.send_signal(signal_first)
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def stop_orphan(pid_file: Path, *, workdir: Path, signal_first: int) -> None:
    """A server left behind by an app that was killed: stop it, kill it after 10 s. Only a
    process working in `workdir` (both servers chdir to their data directory) is signalled,
    never another one that reused the pid."""
    try:
        pid = int(pid_file.read_text().split()[0])
        cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
    except (FileNotFoundError, ValueError, IndexError, PermissionError):
        return
    if cwd != workdir.resolve():
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal_first)
    for _ in range(200):
        if not alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (exited, not yet reaped by its parent)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status
