"""The one delivery policy, every branch, over a tiny in-memory transport (no bus at all)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from argus.application.delivery import Delivery, DeliveryPolicy, Outcome
from argus.domain.events import BatchUploaded, Event, event_to_wire

pytestmark = pytest.mark.unit

POLICY = DeliveryPolicy(max_attempts=3, backoff_s=0.5, max_backoff_s=0.75, max_deliveries=2)
EVENT = BatchUploaded(batch_id="b-1", vehicle_id="v", total_files=1)


@dataclass
class Message:
    """A transport's view of one message: records what the policy did with it."""

    payload: bytes = json.dumps(event_to_wire(EVENT)).encode()
    message_id: str = "m-1"
    deliveries: int | None = 1
    acked: int = 0
    dead_lettered: list[tuple[str, int]] = field(default_factory=list)

    async def ack(self) -> None:
        self.acked += 1

    async def dead_letter(self, error: BaseException, *, attempts: int) -> None:
        self.dead_lettered.append((repr(error), attempts))


class Counter:
    """DeliveryCounter in memory: counts in a row, forgotten once settled."""

    def __init__(self, before: int = 0, *, broken: bool = False) -> None:
        self.count = before
        self.settles = 0
        self.broken = broken

    async def delivered(self, group: str, message_id: str) -> int:
        if self.broken:
            raise ConnectionError("counter store away")
        self.count += 1
        return self.count

    async def settled(self, group: str, message_id: str) -> None:
        self.settles += 1
        self.count = 0


class Recorder:
    """Handler failing its first `failures` calls; give-up hook; sleeps counted, not slept."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls = 0
        self.given_up: list[tuple[Event, str]] = []
        self.sleeps: list[float] = []

    async def handle(self, event: Event) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError(f"failure {self.calls}")

    async def give_up(self, event: Event, error: BaseException) -> None:
        self.given_up.append((event, str(error)))

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def delivery(recorder: Recorder, counter: Counter | None = None) -> Delivery:
    return Delivery(POLICY, group="g", counter=counter, sleep=recorder.sleep)


async def test_a_handled_message_is_acknowledged_once() -> None:
    rec, message = Recorder(), Message()
    assert await delivery(rec).deliver(message, rec.handle, rec.give_up) == Outcome.HANDLED
    assert (rec.calls, message.acked, message.dead_lettered, rec.given_up) == (1, 1, [], [])


@pytest.mark.parametrize(
    "payload", [b"", b"not json", b"[]", b'{"type": "NoSuchEvent"}', json.dumps({"x": 1}).encode()]
)
async def test_an_undecodable_message_is_dead_lettered_at_once(payload: bytes) -> None:
    rec, message = Recorder(), Message(payload=payload)
    assert await delivery(rec).deliver(message, rec.handle, rec.give_up) == Outcome.UNDECODABLE
    assert rec.calls == 0 and rec.given_up == [] and message.acked == 0
    [(_, attempts)] = message.dead_lettered
    assert attempts == 0


async def test_a_failing_handler_is_retried_with_capped_backoff_then_succeeds() -> None:
    rec, message = Recorder(failures=2), Message()
    assert await delivery(rec).deliver(message, rec.handle, rec.give_up) == Outcome.HANDLED
    assert rec.calls == 3 and message.acked == 1 and message.dead_lettered == []
    assert rec.sleeps == [0.5, 0.75]  # 0.5 * 2**(n-1), capped at max_backoff_s


async def test_a_handler_failing_max_attempts_times_is_given_up_and_dead_lettered() -> None:
    rec, message = Recorder(failures=99), Message()
    assert await delivery(rec).deliver(message, rec.handle, rec.give_up) == Outcome.GIVEN_UP
    assert rec.calls == POLICY.max_attempts and message.acked == 0
    assert rec.given_up == [(EVENT, "failure 3")]
    [(error, attempts)] = message.dead_lettered
    assert "failure 3" in error and attempts == POLICY.max_attempts
    assert len(rec.sleeps) == POLICY.max_attempts - 1  # no pause after the last attempt


async def test_without_a_give_up_hook_the_message_is_still_dead_lettered() -> None:
    rec, message = Recorder(failures=99), Message()
    assert await delivery(rec).deliver(message, rec.handle) == Outcome.GIVEN_UP
    assert len(message.dead_lettered) == 1


async def test_a_message_delivered_more_than_max_deliveries_times_is_poison() -> None:
    rec, message = Recorder(), Message(deliveries=POLICY.max_deliveries + 1)
    assert await delivery(rec).deliver(message, rec.handle, rec.give_up) == Outcome.POISON
    assert rec.calls == 0 and message.acked == 0
    [(event, error)] = rec.given_up
    assert event == EVENT and "delivered 3 times" in error
    assert [attempts for _, attempts in message.dead_lettered] == [3]


async def test_max_deliveries_itself_is_still_handled() -> None:
    rec, message = Recorder(), Message(deliveries=POLICY.max_deliveries)
    assert await delivery(rec).deliver(message, rec.handle, rec.give_up) == Outcome.HANDLED


async def test_a_counter_counts_when_the_transport_keeps_no_count_and_is_settled() -> None:
    rec, counter = Recorder(), Counter()
    handle = delivery(rec, counter)
    for _ in range(3):  # handled every time: each delivery counts from one again
        assert await handle.deliver(Message(deliveries=None), rec.handle) == Outcome.HANDLED
    assert counter.settles == 3 and counter.count == 0


async def test_a_counted_message_past_max_deliveries_is_poison_and_settled() -> None:
    rec, counter = Recorder(), Counter(before=POLICY.max_deliveries)
    message = Message(deliveries=None)
    assert await delivery(rec, counter).deliver(message, rec.handle, rec.give_up) == Outcome.POISON
    assert rec.calls == 0 and counter.settles == 1
    assert [attempts for _, attempts in message.dead_lettered] == [POLICY.max_deliveries + 1]


async def test_a_transport_count_wins_over_the_counter() -> None:
    rec, counter = Recorder(), Counter(before=99)
    assert await delivery(rec, counter).deliver(Message(deliveries=1), rec.handle) == (
        Outcome.HANDLED
    )
    assert counter.count == 99 and counter.settles == 0


async def test_a_counter_that_is_away_does_not_stop_the_work() -> None:
    rec, counter = Recorder(), Counter(broken=True)
    message = Message(deliveries=None)
    assert await delivery(rec, counter).deliver(message, rec.handle) == Outcome.HANDLED
    assert message.acked == 1


async def test_an_undecodable_message_is_never_counted() -> None:
    rec, counter = Recorder(), Counter()
    message = Message(payload=b"garbage", deliveries=None)
    assert await delivery(rec, counter).deliver(message, rec.handle) == Outcome.UNDECODABLE
    assert counter.count == 0 and counter.settles == 0


def test_backoff_doubles_from_backoff_s_up_to_max_backoff_s() -> None:
    policy = DeliveryPolicy(max_attempts=9, backoff_s=0.5, max_backoff_s=10.0, max_deliveries=5)
    assert [policy.delay_s(n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 10, 10]
