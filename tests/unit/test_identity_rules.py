"""The access rules (argus.domain.identity) as a table, and the authenticator's cache."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from argus.application.identity import Authenticator
from argus.domain.errors import ArgusError, Forbidden, NotFound, Unauthenticated
from argus.domain.identity import (
    Owner,
    Principal,
    Role,
    TokenRecord,
    check_admin,
    check_create_batch,
    check_feedback,
    check_read,
    check_token_shape,
    check_write,
    new_token,
    token_hash,
    visible_scope,
)

pytestmark = pytest.mark.unit

A1 = Principal("t1", Role.VEHICLE, "fleet-a", vehicle_id="a1")
A2 = Principal("t2", Role.VEHICLE, "fleet-a", vehicle_id="a2")
B1 = Principal("t3", Role.VEHICLE, "fleet-b", vehicle_id="b1")
ENG_A = Principal("t4", Role.ENGINEER, "fleet-a", name="tess")
ENG_B = Principal("t5", Role.ENGINEER, "fleet-b", name="bo")
ADMIN = Principal("t6", Role.ADMIN, None)
A1_BATCH = Owner("fleet-a", "a1")

Rule = Callable[[Principal, str, Owner | None], Owner]
ALLOWED: None = None


@pytest.mark.parametrize(
    ("rule", "principal", "owner", "expected"),
    [
        (check_read, A1, A1_BATCH, ALLOWED),
        (check_read, A2, A1_BATCH, NotFound),  # a fleet mate's batch is invisible
        (check_read, B1, A1_BATCH, NotFound),
        (check_read, ENG_A, A1_BATCH, ALLOWED),
        (check_read, ENG_B, A1_BATCH, NotFound),
        (check_read, ADMIN, A1_BATCH, Forbidden),
        (check_read, ENG_A, None, NotFound),
        (check_write, A1, A1_BATCH, ALLOWED),
        (check_write, A2, A1_BATCH, Forbidden),
        (check_write, B1, A1_BATCH, NotFound),
        (check_write, A1, None, NotFound),
        (check_write, ENG_A, A1_BATCH, Forbidden),
        (check_write, ADMIN, A1_BATCH, Forbidden),
        (check_feedback, ENG_A, A1_BATCH, ALLOWED),
        (check_feedback, ENG_B, A1_BATCH, NotFound),
        (check_feedback, A1, A1_BATCH, Forbidden),
        (check_feedback, ADMIN, A1_BATCH, Forbidden),
    ],
)
def test_batch_rules(
    rule: Rule, principal: Principal, owner: Owner | None, expected: type[ArgusError] | None
) -> None:
    if expected is None:
        assert rule(principal, "b-1", owner) == owner
    else:
        with pytest.raises(expected):
            rule(principal, "b-1", owner)


def test_only_a_vehicle_creates_and_only_for_itself() -> None:
    assert check_create_batch(A1, "a1") == "fleet-a"
    for principal, vehicle in [(A1, "a2"), (A1, "b1"), (ENG_A, "a1"), (ADMIN, "a1")]:
        with pytest.raises(Forbidden):
            check_create_batch(principal, vehicle)


def test_admin_routes_are_for_admins_and_lists_are_scoped() -> None:
    check_admin(ADMIN)
    for principal in (A1, ENG_A):
        with pytest.raises(Forbidden):
            check_admin(principal)
    assert visible_scope(A1) == ("fleet-a", "a1")
    assert visible_scope(ENG_A) == ("fleet-a", None)
    with pytest.raises(Forbidden):
        visible_scope(ADMIN)


def test_principals_are_consistent() -> None:
    with pytest.raises(ValueError):
        Principal("t", Role.ADMIN, "fleet-a")
    with pytest.raises(ValueError):
        Principal("t", Role.ENGINEER, "fleet-a", vehicle_id="a1")
    with pytest.raises(ValueError):
        Principal("t", Role.VEHICLE, "fleet-a")


def test_tokens_are_prefixed_random_and_hashed_as_sha256_hex() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    for token in tokens:
        check_token_shape(token)
        assert token.startswith("argus_v1_") and len(token) == 52
        assert len(token_hash(token)) == 64
    for bad in ["", "argus_v1_", "argus_v2_" + "a" * 43, "argus_v1_" + "a" * 42, "x" * 52]:
        with pytest.raises(Unauthenticated):
            check_token_shape(bad)


class FakeTokens:
    def __init__(self) -> None:
        self.records: dict[str, TokenRecord] = {}
        self.lookups = 0

    async def by_hash(self, token_hash: str) -> TokenRecord | None:
        self.lookups += 1
        return self.records.get(token_hash)


def _record(secret: str, *, expires_at: datetime | None = None) -> TokenRecord:
    return TokenRecord("t4", token_hash(secret), ENG_A, datetime.now(UTC), expires_at)


async def test_the_authenticator_caches_hits_for_cache_s_and_never_misses_or_garbage() -> None:
    tokens, now = FakeTokens(), [0.0]
    auth = Authenticator(tokens=tokens, cache_s=5.0, clock=lambda: now[0])
    secret = new_token()
    tokens.records[token_hash(secret)] = _record(secret)
    for _ in range(10):
        assert await auth.authenticate(secret) == ENG_A
    assert tokens.lookups == 1
    now[0] = 5.0
    await auth.authenticate(secret)
    assert tokens.lookups == 2
    for _ in range(3):
        with pytest.raises(Unauthenticated, match="unknown"):
            await auth.authenticate(new_token())
    with pytest.raises(Unauthenticated, match="malformed"):
        await auth.authenticate("garbage")
    assert tokens.lookups == 5  # unknown tokens are looked up every time, garbage never


async def test_expiry_is_checked_on_every_call_even_when_cached() -> None:
    tokens = FakeTokens()
    auth = Authenticator(tokens=tokens, cache_s=300.0)
    secret = new_token()
    past = datetime.now(UTC) - timedelta(seconds=1)
    tokens.records[token_hash(secret)] = _record(secret, expires_at=past)
    for _ in range(2):
        with pytest.raises(Unauthenticated, match="expired"):
            await auth.authenticate(secret)
    assert tokens.lookups == 1  # the second refusal came from the cached record
