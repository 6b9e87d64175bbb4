"""Which kind of route a request is for, by method and path: the guards treat a raw file
upload, a progress stream and a JSON request differently (they run before routing)."""

from __future__ import annotations

import re
from enum import Enum

from starlette.types import Scope

_UPLOAD = re.compile(r"/api/v1/batches/[^/]+/files/.+")
_EVENTS = re.compile(r"/api/v1/batches/[^/]+/events")
HEALTH_PATH = "/healthz"


class RouteKind(Enum):
    UPLOAD = "upload"  # PUT of a raw file body
    EVENTS = "events"  # a Server-Sent-Events stream
    HEALTH = "health"
    JSON = "json"  # everything else: JSON bodies, if any


def kind_of(scope: Scope) -> RouteKind:
    path: str = scope["path"]
    method: str = scope["method"]
    if method == "PUT" and _UPLOAD.fullmatch(path):
        return RouteKind.UPLOAD
    if method == "GET" and _EVENTS.fullmatch(path):
        return RouteKind.EVENTS
    if path == HEALTH_PATH:
        return RouteKind.HEALTH
    return RouteKind.JSON


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (`name` in lower case), decoded as Latin-1."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None
