"""Adapters translate connection errors into `Unavailable` and let every other error through."""

from __future__ import annotations

import asyncpg
import asyncpg.exceptions
import pytest
import redis.exceptions

from argus.domain.errors import Unavailable
from argus.infrastructure.postgres import _errors as pg_errors
from argus.infrastructure.redis import _errors as redis_errors

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        TimeoutError(),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"),
        asyncpg.exceptions.TooManyConnectionsError("too many clients"),
        asyncpg.InterfaceError("connection is closed"),
    ],
)
async def test_postgres_connection_errors_become_unavailable(error: Exception) -> None:
    with pytest.raises(Unavailable, match="PostgreSQL is unavailable") as caught:
        async with pg_errors.translated():
            raise error
    assert caught.value.__cause__ is error


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        asyncpg.exceptions.PostgresSyntaxError("syntax error"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        KeyError("a bug"),
    ],
)
async def test_other_postgres_errors_propagate_unchanged(error: Exception) -> None:
    with pytest.raises(type(error)) as caught:
        async with pg_errors.translated():
            raise error
    assert caught.value is error


@pytest.mark.parametrize(
    "error",
    [
        redis.exceptions.ConnectionError("Error 111 connecting"),
        redis.exceptions.BusyLoadingError("loading the dataset"),
        redis.exceptions.TimeoutError("Timeout reading"),
        ConnectionResetError(),
    ],
)
async def test_redis_connection_errors_become_unavailable(error: Exception) -> None:
    with pytest.raises(Unavailable, match="Redis is unavailable") as caught:
        async with redis_errors.translated():
            raise error
    assert caught.value.__cause__ is error


async def test_a_redis_response_error_is_a_bug_and_propagates() -> None:
    error = redis.exceptions.ResponseError("ERR unknown command")
    with pytest.raises(redis.exceptions.ResponseError):
        async with redis_errors.translated():
            raise error
