"""The rate-limiter port: one token bucket per caller, shared by every replica.

Callers are keyed by the SHA-256 hex of their bearer token (never the token itself) or, without
one, by their address. The adapter is `argus.infrastructure.redis.rate_limiter`; the in-memory
fake is in `tests/fakes/rate_limiter.py`. Design: docs/decisions/0026-request-limits.md.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from argus.domain.token_bucket import RateDecision


class RateLimiter(Protocol):
    async def take(self, key: str) -> RateDecision:
        """Spend one of `key`'s tokens; Unavailable when the shared store cannot be reached."""


def caller_key(*, bearer_token: str | None, client_address: str | None) -> str:
    """Whom a request is counted against: its token's hash, else its address."""
    if bearer_token:
        return "token:" + hashlib.sha256(bearer_token.encode()).hexdigest()
    return f"addr:{client_address or 'unknown'}"


__all__ = ["RateDecision", "RateLimiter", "caller_key"]
