"""Progress fan-out benchmark: many followers of one batch, per-follower blocking reads vs
`ProgressFeed` (docs/decisions/0014-progress-fan-out.md), on a real Redis in the same run.

(a) baseline: every follower loops on its own blocking `XREAD BLOCK` (how the SSE endpoint
read before 0014; its database check on quiet windows is left out); (b) `ProgressFeed`. Both
on the composition root's Redis client (BlockingConnectionPool of 256, as a process has). A
producer on its own client appends `--events` entries, one every `--gap-ms`, the last one
final; a run ends when every follower has received all of them or failed. Printed per follower
count: seconds until the last follower finished, Redis commands processed (INFO), the most
connections blocked in `XREAD BLOCK` at once (INFO `blocked_clients`), followers that failed
(no pooled connection within the pool's 10 s wait), and the ratios a/b.
Usage: python bench/sse.py [--followers 100,1000,2000] [--events 20] [--gap-ms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from redis.asyncio import Redis

from argus.application.ports import BatchOverview
from argus.application.progress_feed import ProgressFeed, is_final_entry
from argus.bootstrap import redis_client
from argus.config import RedisSettings
from argus.domain.batch import BatchStatus
from argus.infrastructure.embedded.process import free_port
from argus.infrastructure.embedded.redis_server import EmbeddedRedis
from argus.infrastructure.redis.progress import RedisProgressChannel

BLOCK_MS = 15_000


class UnfinishedBatch:
    """The one repository call the feed makes while quiet; counts it."""

    def __init__(self) -> None:
        self.overviews = 0

    async def overview(self, batch_id: str) -> BatchOverview:
        self.overviews += 1
        now = datetime.now(UTC)
        return BatchOverview(
            batch_id=batch_id,
            vehicle_id="v",
            status=BatchStatus.SCATTERING,
            failure_reason=None,
            created_at=now,
            updated_at=now,
            file_counts={},
        )


async def naive_follower(channel: RedisProgressChannel, batch_id: str) -> int:
    cursor: str | None = None
    received = 0
    while True:
        entries = await channel.read(batch_id, after=cursor, block_ms=BLOCK_MS)
        for entry in entries:
            cursor = entry.entry_id
            received += 1
            if is_final_entry(entry):
                return received


async def feed_follower(feed: ProgressFeed, batch_id: str) -> int:
    received = 0
    async for entries in feed.follow(batch_id, after=None):
        received += len(entries)
    return received


async def measure(
    redis: Redis,
    producer: RedisProgressChannel,
    follow: Callable[[str], Awaitable[int]],
    *,
    followers: int,
    events: int,
    gap_ms: float,
) -> dict[str, float]:
    batch_id = f"bench-{time.monotonic_ns()}"
    before = int((await redis.info("stats"))["total_commands_processed"])
    peak_blocked = 0  # connections held in a blocking XREAD
    tasks = [asyncio.create_task(follow(batch_id)) for _ in range(followers)]
    await asyncio.sleep(0.5)  # followers connected and waiting
    start = time.perf_counter()
    for n in range(events):
        status = "completed" if n == events - 1 else "scattering"
        await producer.append(batch_id, event_id=f"e{n}", data={"type": "status", "status": status})
        peak_blocked = max(peak_blocked, int((await redis.info("clients"))["blocked_clients"]))
        await asyncio.sleep(gap_ms / 1000)
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    seconds = time.perf_counter() - start
    after = int((await redis.info("stats"))["total_commands_processed"])
    # A follower that got an error (no pooled connection within 10 s) is what its SSE client
    # would see as a broken stream.
    failed = sum(1 for o in outcomes if isinstance(o, BaseException))
    assert all(o == events for o in outcomes if not isinstance(o, BaseException))
    return {
        "seconds": seconds,
        "commands": after - before,
        "blocked": peak_blocked,
        "failed": failed,
    }


async def run(follower_counts: list[int], events: int, gap_ms: float) -> None:
    server = EmbeddedRedis(Path(tempfile.mkdtemp(prefix="argus-bench-sse-")), free_port())
    server.start()
    try:
        redis = redis_client(server.url, max_connections=256)
        admin = Redis.from_url(server.url)
        ttl_s = RedisSettings().progress_ttl_s
        channel = RedisProgressChannel(redis, ttl_s=ttl_s)
        # The progress projector runs elsewhere (its own process and pool).
        producer = RedisProgressChannel(admin, ttl_s=ttl_s)
        print(f"{events} events, one every {gap_ms:.0f} ms; pool of 256 connections")
        head = f"{'seconds':>8} {'commands':>9} {'blocked':>8} {'failed':>7}"
        print(f"{'followers':>9} {'':>16} {head}")
        for n in follower_counts:
            a = await measure(
                admin,
                producer,
                lambda b: naive_follower(channel, b),
                followers=n,
                events=events,
                gap_ms=gap_ms,
            )
            batches = UnfinishedBatch()
            feed = ProgressFeed(channel=channel, batches=batches, block_ms=BLOCK_MS)
            b = await measure(
                admin,
                producer,
                lambda bid, feed=feed: feed_follower(feed, bid),
                followers=n,
                events=events,
                gap_ms=gap_ms,
            )
            for name, r in (("(a) per-follower", a), ("(b) feed", b)):
                row = f"{r['seconds']:8.2f} {r['commands']:9.0f} {r['blocked']:8.0f}"
                print(f"{n:>9} {name:>16} {row} {r['failed']:7.0f}")
            print(
                f"{'':>9} a/b: time {a['seconds'] / b['seconds']:.2f}, "
                f"commands {a['commands'] / b['commands']:.2f}, "
                f"blocked connections {a['blocked'] / max(b['blocked'], 1):.0f}"
            )
        await admin.aclose()
        await redis.aclose()
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", default="100,1000,2000")
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--gap-ms", type=float, default=50.0)
    args = parser.parse_args()
    counts = [int(x) for x in args.followers.split(",")]
    asyncio.run(run(counts, args.events, args.gap_ms))


if __name__ == "__main__":
    main()
