"""No route of the HTTP app runs a dependency in the thread pool (decision 0030): a plain `def`
dependency costs a thread hand-off on every request."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from argus.interfaces.http.app import create_app


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)  # an included router (FastAPI ≥ 0.16x)
        if inner is not None:
            yield from _api_routes(inner.routes)


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def test_every_dependency_and_endpoint_of_every_route_is_async() -> None:
    never_called = SimpleNamespace(auth=SimpleNamespace(authenticate=None))
    app = create_app(never_called)  # type: ignore[arg-type]  # only the routes are inspected
    routes = list(_api_routes(app.routes))
    sync = [
        f"{route.path}: {getattr(call, '__name__', call)}"
        for route in routes
        for call in (route.endpoint, *_calls(route.dependant))
        if call is not None and not inspect.iscoroutinefunction(call)
    ]
    assert len(routes) > 10
    assert sync == []
