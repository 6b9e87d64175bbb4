"""One delivery policy for every event bus: decode, poison check, retry, give up, acknowledge.

The adapters (Redis Streams, Kafka, the in-memory fake) only fetch messages, acknowledge them
and dead-letter them; what happens to a delivered message is decided here, once.
See docs/decisions/0018-one-delivery-policy.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from argus.domain.errors import InvalidInput
from argus.domain.events import Event, event_from_wire

log = logging.getLogger(__name__)

Handler = Callable[[Event], Awaitable[None]]
GiveUp = Callable[[Event, BaseException], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class DeliveryPolicy:
    """How a consumer treats a delivered message; every value comes from `ARGUS_BUS_*`."""

    # Handler runs per delivery before the message is given up and dead-lettered.
    max_attempts: int
    # Backoff before retry n is backoff_s * 2**(n-1), capped at max_backoff_s.
    backoff_s: float
    max_backoff_s: float
    # A message delivered more often than this (its consumers kept dying) is a poison pill.
    max_deliveries: int

    def delay_s(self, attempt: int) -> float:
        """The pause after failed attempt `attempt` (1-based)."""
        return float(min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 1)))


class Delivered(Protocol):
    """One message as a transport handed it over: all the policy sees of a bus."""

    @property
    def payload(self) -> bytes:
        """The event's wire JSON, as published (b"" when the message has none)."""

    @property
    def message_id(self) -> str:
        """Unique within the transport for one consumer group: names the message in logs and
        in the delivery counter."""

    @property
    def deliveries(self) -> int | None:
        """How often the transport has delivered it to the group, this time included; None
        when the transport keeps no such count (Kafka: then a `DeliveryCounter` counts)."""

    async def ack(self) -> None:
        """The handler finished: the group is done with the message."""

    async def dead_letter(self, error: BaseException, *, attempts: int) -> None:
        """Park the message with `error` where operators look, and let the group move on."""


class DeliveryCounter(Protocol):
    """Deliveries of one message to one group in a row, for transports that keep no count."""

    async def delivered(self, group: str, message_id: str) -> int:
        """Count one more delivery; returns how many there were in a row."""

    async def settled(self, group: str, message_id: str) -> None:
        """A handler finished with the message: the next delivery counts from one again."""


class Outcome(StrEnum):
    HANDLED = "handled"
    GIVEN_UP = "given-up"  # the handler failed max_attempts times
    POISON = "poison"  # delivered more than max_deliveries times
    UNDECODABLE = "undecodable"


class Delivery:
    """The policy applied to the messages of one consumer group."""

    def __init__(
        self,
        policy: DeliveryPolicy,
        *,
        group: str,
        counter: DeliveryCounter | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.policy = policy
        self._group = group
        self._counter = counter
        self._sleep = sleep

    async def deliver(
        self, message: Delivered, handler: Handler, on_give_up: GiveUp | None = None
    ) -> Outcome:
        """Run `handler` on one message, then acknowledge or dead-letter it."""
        try:
            event = event_from_wire(json.loads(message.payload))
        except (InvalidInput, KeyError, ValueError) as exc:
            await message.dead_letter(exc, attempts=0)
            return Outcome.UNDECODABLE
        if message.deliveries is not None or self._counter is None:
            return await self._handle(message, event, message.deliveries or 0, handler, on_give_up)
        counter = self._counter
        deliveries = await self._count(counter, message)
        outcome = await self._handle(message, event, deliveries, handler, on_give_up)
        # Finished without dying (handled or given up): a redelivery after a lost
        # acknowledgement is no sign of poison, so it must not inherit this count.
        try:
            await counter.settled(self._group, message.message_id)
        except Exception:  # a count left behind only expires later
            log.warning("could not settle %s", message.message_id, exc_info=True)
        return outcome

    async def _handle(
        self,
        message: Delivered,
        event: Event,
        deliveries: int,
        handler: Handler,
        on_give_up: GiveUp | None,
    ) -> Outcome:
        if deliveries > self.policy.max_deliveries:
            error = RuntimeError(f"delivered {deliveries} times; its consumers kept dying")
            await self._give_up(message, event, error, on_give_up, deliveries)
            return Outcome.POISON
        for attempt in range(1, self.policy.max_attempts + 1):
            try:
                await handler(event)
            except Exception as exc:
                if attempt == self.policy.max_attempts:
                    await self._give_up(message, event, exc, on_give_up, attempt)
                    return Outcome.GIVEN_UP
                log.warning(
                    "handler failed on %s (attempt %d): %r", message.message_id, attempt, exc
                )
                await self._sleep(self.policy.delay_s(attempt))
            else:
                break
        await message.ack()
        return Outcome.HANDLED

    async def _give_up(
        self,
        message: Delivered,
        event: Event,
        error: BaseException,
        on_give_up: GiveUp | None,
        attempts: int,
    ) -> None:
        log.error("giving up on %s after %d attempts: %r", message.message_id, attempts, error)
        if on_give_up is not None:
            await on_give_up(event, error)
        await message.dead_letter(error, attempts=attempts)

    async def _count(self, counter: DeliveryCounter, message: Delivered) -> int:
        try:
            return await counter.delivered(self._group, message.message_id)
        except Exception:  # the count is a safety net: its store away must not stop the work
            log.warning("delivery count unavailable for %s", message.message_id, exc_info=True)
            return 0
