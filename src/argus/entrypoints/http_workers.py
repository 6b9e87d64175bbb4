"""More processes on one HTTP port (`ARGUS_HTTP_WORKERS`, decision 0031).

The first process binds the listening socket; `HttpWorkers` starts `workers - 1` more
processes that inherit it (pass_fds; granian ones bind the port themselves, with
SO_REUSEPORT) and serve the same routers with their own adapters
(connection pools, report memory, rate-limit reserve), over the same PostgreSQL and Redis as
the first one. Only the HTTP server runs in them: consumers, relays and loops stay in the
first process. The kernel hands each new connection to whichever process accepts it first.

A worker gets its settings from the first process, pickled on its stdin (what the first
process was given, plus where its embedded servers listen), so both serve with the very same
settings. It dies with the first process (PR_SET_PDEATHSIG), is restarted if it exits while
the server runs, and drains on SIGTERM like the first one.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

from argus.config import Settings
from argus.workers.restart_backoff import RestartBackoff
from argus.workers.supervisor import terminate_with_parent

log = logging.getLogger(__name__)

_STOP_TIMEOUT_S = 30.0  # for all workers together


def listening_socket(host: str, port: int, *, backlog: int) -> socket.socket:
    """A bound, listening TCP socket the worker processes can inherit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
    # without it a response written in two parts waits for the client's delayed ACK (~40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted ones
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


@dataclass(frozen=True)
class WorkerOrder:
    """What a worker process is told on its stdin."""

    settings: Settings
    pg_url: str
    redis_url: str
    fd: int | None  # the listening socket to inherit; None: the worker binds `port` itself
    port: int
    ingest: bool
    query: bool


class HttpWorkers:
    """Starts the extra HTTP worker processes, restarts any that die, stops them on exit."""

    def __init__(self, order: WorkerOrder, count: int) -> None:
        self._order = order
        self._payload = pickle.dumps(order)
        self._processes: list[subprocess.Popen[bytes] | None] = [None] * count
        self._started_at = [0.0] * count
        # A worker that keeps dying (its database is down, a bad setting) is restarted after a
        # wait doubling from 1 s to 60 s (the parser workers' rule): no restart storm.
        self._backoff = RestartBackoff()
        self._delay: list[float | None] = [None] * count  # the last wait before a restart
        self._due = [0.0] * count  # when a dead slot may be restarted
        self._stopping = False
        self._watch: asyncio.Task[None] | None = None

    def start(self) -> None:
        for slot in range(len(self._processes)):
            self._spawn(slot)
        if self._processes:
            self._watch = asyncio.create_task(self._restart_dead())

    def pids(self) -> list[int]:
        return [p.pid for p in self._processes if p is not None and p.poll() is None]

    def _spawn(self, slot: int) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "argus.entrypoints.http_worker"],
            stdin=subprocess.PIPE,
            pass_fds=() if self._order.fd is None else (self._order.fd,),
            preexec_fn=terminate_with_parent,
        )
        assert process.stdin is not None
        try:
            process.stdin.write(self._payload)
            process.stdin.close()
        except BrokenPipeError:
            pass  # it died before reading its order: the restart loop sees it exit
        self._processes[slot] = process
        self._started_at[slot] = time.monotonic()
        log.info("HTTP worker %d started (pid %d)", slot + 1, process.pid)

    async def _restart_dead(self) -> None:
        while not self._stopping:
            await asyncio.sleep(1.0)
            for slot, process in enumerate(self._processes):
                if process is None or process.poll() is None or self._stopping:
                    continue
                now = time.monotonic()
                if self._due[slot] < self._started_at[slot]:  # newly found dead: schedule it
                    delay = self._backoff.next_delay(
                        lived_s=now - self._started_at[slot], previous_delay_s=self._delay[slot]
                    )
                    self._delay[slot], self._due[slot] = delay, now + delay
                    log.warning(
                        "HTTP worker %d (pid %d) exited with %s; restarting in %.0f s",
                        slot + 1,
                        process.pid,
                        process.returncode,
                        delay,
                    )
                if now < self._due[slot]:
                    continue
                try:
                    self._spawn(slot)
                except OSError as exc:  # no processes or files left: try again later
                    self._started_at[slot] = now
                    log.error("HTTP worker %d could not be restarted: %r", slot + 1, exc)

    def terminate(self) -> None:
        """SIGTERM every worker (each drains its connections); no restarts from now on."""
        self._stopping = True
        for process in self._processes:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)

    async def stop(self) -> None:
        """Terminate, wait for each to drain, SIGKILL stragglers."""
        self.terminate()
        if self._watch is not None:
            self._watch.cancel()
            try:
                await self._watch
            except asyncio.CancelledError:
                pass
            except Exception:  # the workers must still be stopped
                log.exception("the HTTP workers' restart loop had failed")
        deadline = time.monotonic() + _STOP_TIMEOUT_S
        for process in self._processes:
            if process is None:
                continue
            try:
                await asyncio.to_thread(process.wait, max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)
