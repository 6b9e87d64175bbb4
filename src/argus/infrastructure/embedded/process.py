"""Child-process helpers shared by the embedded servers."""

from __future__ import annotations

import secrets
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from argus.domain.errors import Unavailable


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now.

    Chosen below Linux's ephemeral range (32768+): a port the kernel handed out with
    bind(0) can be taken by any outgoing connection before our server binds it."""
    for _ in range(200):
        port = secrets.randbelow(_HIGH - _LOW) + _LOW
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port found")


_LOW, _HIGH = 20_000, 32_000


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """True when something accepts TCP connections on `host:port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def wait_until(
    ready: Callable[[], bool],
    *,
    what: str,
    timeout_s: float,
    process: subprocess.Popen[bytes] | None,
    log: Path,
) -> None:
    """Poll `ready` until it holds; fail loudly (with the log's tail) on exit or timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if ready():
            return
        if process is not None and process.poll() is not None:
            raise Unavailable(f"{what} exited with code {process.returncode}: {tail(log)}")
        time.sleep(0.1)
    raise Unavailable(f"{what} not ready after {timeout_s:.0f} s: {tail(log)}")


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a log file, for error messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
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
