"""granian serving one file's bytes on every GET path, with NO checks: the ceiling of a Python
server on granian that bench/report_reads.py loads beside `argus serve` and Gin (`--bare`).

Two interfaces: RSGI (granian's own; the answer is one `protocol.response_bytes` call, no
message dicts) and ASGI without lifespan (ASGINL, as `ARGUS_HTTP_SERVER=granian` runs Argus).
No token, no rate limit, no headers beyond the content type: whatever Argus' read lane costs
on top of these is the lane's own work.
Usage: python bench/peers/granian_report.py --body FILE --port PORT --interface rsgi|asginl
       [--workers N]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from granian import Granian
from granian.constants import HTTPModes, Interfaces

_BODY = (
    Path(os.environ["ARGUS_BENCH_BODY"]).read_bytes() if "ARGUS_BENCH_BODY" in os.environ else b""
)
_JSON = [("content-type", "application/json")]
_ASGI_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"application/json")],
}
_ASGI_BODY = {"type": "http.response.body", "body": _BODY}


async def rsgi_app(scope: Any, protocol: Any) -> None:
    protocol.response_bytes(200, _JSON, _BODY)


async def asgi_app(scope: Any, receive: Any, send: Any) -> None:
    await send(_ASGI_START)
    await send(_ASGI_BODY)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body", type=Path, required=True, help="file every GET returns")
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1")
    parser.add_argument("--interface", choices=("rsgi", "asginl"), required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    os.environ["ARGUS_BENCH_BODY"] = str(args.body.resolve())  # the worker processes read it
    interface = Interfaces.RSGI if args.interface == "rsgi" else Interfaces.ASGINL
    target = "granian_report:rsgi_app" if args.interface == "rsgi" else "granian_report:asgi_app"
    Granian(
        target,
        address="127.0.0.1",
        port=args.port,
        interface=interface,
        workers=args.workers,
        http=HTTPModes.http1,
        websockets=False,
        backlog=2048,
        log_level="warning",  # type: ignore[arg-type]
        working_dir=Path(__file__).resolve().parent,
    ).serve()


if __name__ == "__main__":
    main()
