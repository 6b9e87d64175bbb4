"""One extra HTTP worker process (see `http_workers.py`): `python -m argus.entrypoints.http_worker`
with a pickled `WorkerOrder` on stdin and the listening socket inherited. It connects its own
adapters and serves until SIGTERM/SIGINT (drained like the first process)."""

from __future__ import annotations

import asyncio
import logging
import pickle
import socket
import sys

import uvloop

from argus import bootstrap
from argus.entrypoints.http import serve_http
from argus.entrypoints.http_workers import WorkerOrder
from argus.workers.runtime import stop_on_signals


async def serve_order(order: WorkerOrder) -> None:
    stop = asyncio.Event()
    stop_on_signals(stop)
    adapters = await bootstrap.connect(
        order.settings, pg_url=order.pg_url, redis_url=order.redis_url, run_migrations=False
    )
    try:
        await serve_http(
            adapters,
            ingest=order.ingest,
            query=order.query,
            port=order.port,
            stop=stop,
            on_ready=None,
            sock=None if order.fd is None else socket.socket(fileno=order.fd),
        )
    finally:
        await adapters.close()


def main() -> None:
    order = pickle.loads(sys.stdin.buffer.read())  # from the parent process, over a pipe
    if not isinstance(order, WorkerOrder):
        raise SystemExit("http_worker: expected a WorkerOrder on stdin")
    logging.basicConfig(
        level=order.settings.app.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # uvloop (uvicorn[standard] brings it): this process runs nothing but the HTTP server.
    uvloop.run(serve_order(order))


if __name__ == "__main__":
    main()
