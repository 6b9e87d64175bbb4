"""The composition root's Redis client survives connections that the server closed."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from argus.bootstrap import redis_client
from tests.conftest import Servers

pytestmark = pytest.mark.integration


async def test_a_pooled_connection_closed_by_the_server_is_replaced_not_failed(
    servers: Servers,
) -> None:
    """What a Redis restart does to every idle pooled connection (seen in the distributed
    fault tests: SSE reads right after the restart failed with "Connection closed by server")."""
    url = servers.redis_url(db=11)
    client = redis_client(url, max_connections=1)  # one connection: the one we kill
    admin = Redis.from_url(url)
    try:
        await client.set("argus-test-key", "v")
        connection_id = await client.client_id()
        assert await admin.client_kill_filter(_id=connection_id) == 1
        assert await client.get("argus-test-key") == b"v"
        assert await client.client_id() != connection_id  # a new connection took its place
    finally:
        await admin.aclose()
        await client.aclose()
