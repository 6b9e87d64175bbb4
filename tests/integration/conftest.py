"""Fixtures of the integration tier: the HTTP app over the real adapters, in process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from argus.bootstrap import Adapters
from argus.entrypoints.http import http_services
from argus.interfaces.http.app import create_app
from tests.identity import FleetAuth, Identities


@pytest.fixture(scope="session")
def identities(adapters: Adapters) -> Identities:
    """Fleet, vehicles and tokens in the integration database."""
    return Identities(adapters.pool)


@pytest.fixture
async def http(adapters: Adapters, identities: Identities) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(http_services(adapters))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://argus", auth=FleetAuth(identities)
    ) as client:
        yield client
