"""A bare Starlette app on uvicorn serving one file's bytes as application/json on every GET
path: the Python-framework peer that bench/compare.py loads beside `argus serve` and Gin.

No middleware, no authentication, no cache lookup: the floor of a Python ASGI server on this
machine. uvicorn runs as `argus serve` runs it (one process, httptools, uvloop when installed,
no access log, backlog 2048), so the gap to Argus is Argus' own work per request.
Usage: python bench/peers/starlette_report.py --body FILE --port PORT
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def report_app(body: bytes) -> Starlette:
    async def serve(request: Request) -> Response:
        return Response(body, media_type="application/json")

    async def healthz(request: Request) -> Response:
        return Response(b"ok", media_type="text/plain")

    return Starlette(routes=[Route("/healthz", healthz), Route("/{path:path}", serve)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body", type=Path, required=True, help="file every GET returns")
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1")
    args = parser.parse_args()
    app = report_app(args.body.read_bytes())
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        http="httptools",
        log_level="warning",
        access_log=False,
        backlog=2048,
    )


if __name__ == "__main__":
    main()
