"""ProgressFeed with the in-memory fakes: many followers, one blocking read and one database
check per batch at a time, every follower with its own cursor."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from argus.application.progress_feed import ProgressFeed
from argus.domain.batch import Batch, BatchStatus
from argus.domain.errors import Unavailable
from argus.domain.log_file import LogFile
from tests.fakes.messaging import FakeProgressChannel
from tests.fakes.repositories import FakeBatchRepository

pytestmark = pytest.mark.unit


class CountingBatches(FakeBatchRepository):
    def __init__(self) -> None:
        super().__init__()
        self.overviews = 0

    async def overview(self, batch_id: str) -> Any:
        self.overviews += 1
        return await super().overview(batch_id)


async def setup(
    status: BatchStatus = BatchStatus.SCATTERING, block_ms: int = 2_000
) -> tuple[ProgressFeed, FakeProgressChannel, CountingBatches]:
    channel, batches = FakeProgressChannel(), CountingBatches()
    batch = Batch(batch_id="b", vehicle_id="v", status=status)
    batch.files = [LogFile(file_id="f", name="a.mcap", size=1, sha256="0" * 64, blob_key="k")]
    batches.store.batches["b"] = batch
    return ProgressFeed(channel=channel, batches=batches, block_ms=block_ms), channel, batches


async def collect(feed: ProgressFeed, after: str | None = None) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    async for entries in feed.follow("b", after=after):
        seen.extend(e.data for e in entries)
    return seen


STEPS = [
    {"type": "status", "status": "scattering"},
    {"type": "file_parsed", "file_id": "f"},
    {"type": "status", "status": "gathering"},
    {"type": "status", "status": "completed"},
]


async def test_a_thousand_followers_share_one_blocking_read_and_each_gets_everything() -> None:
    feed, channel, batches = await setup()
    results: list[list[dict[str, Any]]] = [[] for _ in range(1000)]

    taken = asyncio.Condition()

    async def follow(seen: list[dict[str, Any]]) -> None:
        async for entries in feed.follow("b", after=None):
            seen.extend(e.data for e in entries)
            async with taken:
                taken.notify_all()

    async def everyone_has(count: int) -> None:
        async with taken:
            await taken.wait_for(lambda: min(len(seen) for seen in results) >= count)

    followers = [asyncio.create_task(follow(seen)) for seen in results]
    await asyncio.sleep(0.05)  # every follower joined and waiting
    assert feed.watched_batches() == 1
    for n, step in enumerate(STEPS):
        await channel.append("b", event_id=f"e{n}", data=step)
        # Paced by the slowest follower, so every follower is level with the watcher when
        # the next entry comes (one that lags behind reads for itself: tested below).
        await asyncio.wait_for(everyone_has(n + 1), 10)
    await asyncio.wait_for(asyncio.gather(*followers), 10)
    assert all(seen == STEPS for seen in results)
    assert channel.most_blocking == 1  # the watcher's read; followers never block on Redis
    # The first follower's catch-up read, the watcher's last_id and reads, nothing per
    # follower: reads do not grow with followers × events.
    assert channel.reads <= 1 + len(STEPS) + 2
    assert batches.overviews == 0  # the stream was never quiet for block_ms
    assert feed.watched_batches() == 0  # the watcher left with the last follower


async def test_a_late_follower_behind_the_watcher_catches_up_from_the_stream() -> None:
    feed, channel, _ = await setup()
    live = asyncio.create_task(collect(feed))
    await asyncio.sleep(0.02)
    for n, step in enumerate(STEPS[:3]):
        await channel.append("b", event_id=f"e{n}", data=step)
        await asyncio.sleep(0.01)
    late = asyncio.create_task(collect(feed))  # from the start, three entries behind
    await asyncio.sleep(0.02)
    await channel.append("b", event_id="e3", data=STEPS[3])
    assert await asyncio.wait_for(live, 5) == STEPS
    assert await asyncio.wait_for(late, 5) == STEPS


async def test_a_follower_resumes_after_its_last_event_id() -> None:
    feed, channel, _ = await setup()
    for n, step in enumerate(STEPS[:2]):
        await channel.append("b", event_id=f"e{n}", data=step)
    first = channel.streams["b"][0].entry_id
    resumed = asyncio.create_task(collect(feed, after=first))
    await asyncio.sleep(0.02)
    for n, step in enumerate(STEPS[2:], start=2):
        await channel.append("b", event_id=f"e{n}", data=step)
    assert await asyncio.wait_for(resumed, 5) == STEPS[1:]


async def test_a_quiet_stream_asks_the_database_once_for_all_followers() -> None:
    feed, channel, batches = await setup(status=BatchStatus.COMPLETED, block_ms=50)
    await channel.append("b", event_id="e0", data=STEPS[0])  # its final entry expired
    results = await asyncio.wait_for(asyncio.gather(*(collect(feed) for _ in range(200))), 5)
    assert all(result == [STEPS[0]] for result in results)
    assert batches.overviews == 1


async def test_followers_get_keep_alives_while_nothing_happens() -> None:
    feed, channel, batches = await setup(block_ms=30)
    batches_seen: list[int] = []

    async def follow() -> None:
        async for entries in feed.follow("b", after=None):
            batches_seen.append(len(entries))
            if batches_seen.count(0) == 3:
                await channel.append("b", event_id="final", data=STEPS[-1])

    await asyncio.wait_for(follow(), 5)
    assert batches_seen[:3] == [0, 0, 0] and batches_seen[-1] == 1
    assert batches.overviews >= 1  # the watcher checked the (unfinished) batch while quiet


async def test_a_follower_that_leaves_does_not_disturb_the_others() -> None:
    feed, channel, _ = await setup()
    staying = asyncio.create_task(collect(feed))
    leaving = asyncio.create_task(collect(feed))
    await asyncio.sleep(0.02)
    leaving.cancel()  # the client closed its connection
    await asyncio.sleep(0.02)
    assert feed.watched_batches() == 1
    for n, step in enumerate(STEPS):
        await channel.append("b", event_id=f"e{n}", data=step)
    assert await asyncio.wait_for(staying, 5) == STEPS
    assert feed.watched_batches() == 0


async def test_following_an_unknown_batch_ends_after_one_quiet_wait() -> None:
    feed, _, batches = await setup(block_ms=20)
    seen: list[list[Any]] = []
    async for entries in feed.follow("missing", after=None):
        seen.append(entries)
    assert all(entries == [] for entries in seen)
    assert batches.overviews == 1


async def test_a_made_up_last_event_id_does_not_stall_the_batchs_other_followers() -> None:
    feed, channel, _ = await setup(block_ms=60_000)  # a stall would outlast the test
    await channel.append("b", event_id="e0", data=STEPS[0])
    future: list[list[Any]] = []

    async def from_the_future() -> None:
        async for entries in feed.follow("b", after="99999999999999-0"):
            future.append(entries)

    dreamer = asyncio.create_task(from_the_future())  # joins first: it starts the watcher
    await asyncio.sleep(0.02)
    honest = asyncio.create_task(collect(feed))
    await asyncio.sleep(0.02)
    for n, step in enumerate(STEPS[1:], start=1):
        await channel.append("b", event_id=f"e{n}", data=step)
    assert await asyncio.wait_for(honest, 5) == STEPS
    assert future == []  # nothing comes after an id beyond the stream
    dreamer.cancel()


class BrokenChannel(FakeProgressChannel):
    """Its blocking reads fail the way the Redis adapter reports an outage."""

    error: Exception = Unavailable("Redis is gone")
    blocking_reads = 0

    async def read(self, batch_id: str, *, after: str | None, block_ms: int) -> Any:
        if block_ms:
            self.blocking_reads += 1
            raise self.error
        return await super().read(batch_id, after=after, block_ms=block_ms)


async def test_a_watcher_that_keeps_failing_fails_its_followers_streams() -> None:
    channel, batches = BrokenChannel(), CountingBatches()
    feed = ProgressFeed(channel=channel, batches=batches, block_ms=30_000)
    with pytest.raises(Unavailable, match="Redis is gone"):
        await asyncio.wait_for(collect(feed), 10)  # three failed rounds, a second apart
    assert feed.watched_batches() == 0
    assert channel.blocking_reads == 3


async def test_a_bug_in_the_watcher_fails_its_followers_at_once_without_retrying() -> None:
    channel, batches = BrokenChannel(), CountingBatches()
    channel.error = KeyError("a bug, not an outage")
    feed = ProgressFeed(channel=channel, batches=batches, block_ms=30_000)
    with pytest.raises(RuntimeError, match="progress watch of b failed") as caught:
        await asyncio.wait_for(collect(feed), 10)
    assert isinstance(caught.value.__cause__, KeyError)
    assert channel.blocking_reads == 1
    assert feed.watched_batches() == 0


async def test_a_final_entry_that_lags_the_database_commit_still_reaches_followers() -> None:
    feed, channel, batches = await setup(status=BatchStatus.COMPLETED, block_ms=50)
    following = asyncio.create_task(collect(feed))
    await asyncio.sleep(0.3)  # quiet windows pass; the database already says completed
    await channel.append("b", event_id="final", data=STEPS[-1])
    assert await asyncio.wait_for(following, 5) == [STEPS[-1]]
    assert batches.overviews >= 1
