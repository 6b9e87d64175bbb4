"""Bearer token → Principal, with a short in-process cache on the hot read path."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from argus.application.identity.ports import TokenRepository
from argus.domain.errors import Unauthenticated
from argus.domain.identity import Principal, TokenRecord, check_token_shape, token_hash

# Enough for every token of a large fleet; the oldest entry makes room beyond that.
_CACHE_ENTRIES = 50_000


class Authenticator:
    """Checks a raw token against its stored hash.

    A token found in the database is remembered for `cache_s` seconds: a revocation takes
    effect on every replica within that time. Expiry is checked on every call."""

    def __init__(
        self,
        *,
        tokens: TokenRepository,
        cache_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tokens = tokens
        self._cache_s = cache_s
        self._clock = clock
        self._cache: dict[str, tuple[TokenRecord, float]] = {}

    async def authenticate(self, raw: str) -> Principal:
        """The principal of `raw`; Unauthenticated for malformed, unknown, expired or revoked."""
        return (await self.identify(raw))[0]

    async def identify(self, raw: str) -> tuple[Principal, str]:
        """`authenticate`, and the token's hash it computed: the read lane keys the caller's
        rate limit by it, so a request hashes its token once (decision 0039)."""
        check_token_shape(raw)  # garbage never reaches the database
        key = token_hash(raw)
        now = self._clock()
        hit = self._cache.get(key)
        if hit is not None and hit[1] > now:
            record = hit[0]
        else:
            found = await self._tokens.by_hash(key)
            if found is None:
                raise Unauthenticated("unknown token")
            record = found
            if len(self._cache) >= _CACHE_ENTRIES:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = (record, now + self._cache_s)
        return record.check_usable(datetime.now(UTC)), key
