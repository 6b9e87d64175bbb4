"""Faults mid-batch: the batch still finishes and every file is counted exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
from pathlib import Path

import pytest
from redis.asyncio import Redis

from argus.cli.client import ArgusClient
from argus.constants import GROUP_PARSERS, barrier_key, event_stream
from argus.domain.events import Family
from tests.e2e.conftest import RunningServer
from tests.e2e.helpers import file_events, follow_to_end, statuses, upload_batch

pytestmark = pytest.mark.e2e


async def wait_for_parsing_to_start(client: ArgusClient, batch_id: str) -> None:
    for _ in range(600):
        if (await client.status(batch_id))["status"] == "scattering":
            return
        await asyncio.sleep(0.02)
    pytest.fail("the batch never started scattering")


def assert_counted_once(events: list[tuple[str, dict[str, object]]], total: int) -> None:
    parsed = file_events(events, "file_parsed")  # type: ignore[arg-type]
    assert len(parsed) == len(set(parsed)) == total
    assert statuses(events).count("gathering") == 1  # type: ignore[arg-type]


class StalledBlob:
    """A stored file turned into a FIFO: a parser that opens it blocks until `release()`,
    then reads the original bytes — slow storage, without a hook in the product. Every
    reader that opens it after the release gets a full copy."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._data = path.read_bytes()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._feed, daemon=True)
        path.unlink()
        os.mkfifo(path)

    def release(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._done.set()
        if self._thread.is_alive():
            # Unblock a feeder waiting in open() for a reader that will never come.
            # Its write then fails with EPIPE and it sees `_done`.
            os.close(os.open(self._path, os.O_RDONLY | os.O_NONBLOCK))
            self._thread.join(5)

    def _feed(self) -> None:
        while not self._done.is_set():
            try:
                with open(self._path, "wb") as fifo:  # blocks until a parser opens the FIFO
                    fifo.write(self._data)
            except BrokenPipeError:
                continue  # that reader went away early; serve the next one a full copy


async def until_dead(pid: int) -> None:
    """Wait until `pid` has exited (gone, or a zombie: its descriptors are closed then)."""
    status = Path(f"/proc/{pid}/status")
    for _ in range(500):
        try:
            if "\nState:\tZ" in status.read_text():  # noqa: ASYNC240 - /proc, not a disk
                return
        except FileNotFoundError:
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"process {pid} did not die")


async def holder_of(redis: Redis, blob_key: str) -> int:
    """The pid of the parser worker holding the scatter message for `blob_key`."""
    stream = event_stream(Family.SCATTER)
    for _ in range(500):
        for entry in await redis.xpending_range(stream, GROUP_PARSERS, min="-", max="+", count=100):
            [(_, fields)] = await redis.xrange(stream, entry["message_id"], entry["message_id"])
            if json.loads(fields[b"event"])["data"]["blob_key"] == blob_key:
                return int(entry["consumer"].decode().rsplit("-", 2)[1])
        await asyncio.sleep(0.02)
    pytest.fail(f"no parser picked up {blob_key}")


async def test_a_parser_worker_killed_mid_file_is_taken_over(
    client: ArgusClient, server: RunningServer, drive: list[Path], batch_id: str
) -> None:
    await upload_batch(client, batch_id, drive, complete=False)
    files_dir = server.blob_root / "batches" / batch_id / "files"
    stalled = sorted(files_dir.iterdir())[0]
    blob = StalledBlob(stalled)
    redis = Redis.from_url(server.redis_url)
    try:
        await client.complete(batch_id)
        victim = await holder_of(redis, str(stalled.relative_to(server.blob_root)))
        os.kill(victim, signal.SIGKILL)
        await until_dead(victim)
        blob.release()  # the worker that takes the message over gets the real bytes
        events = await follow_to_end(client, batch_id)
    finally:
        blob.close()
        await redis.aclose()
    assert statuses(events)[-1] == "completed"
    assert_counted_once(events, len(drive))
    assert (await client.status(batch_id))["files"]["parsed"] == len(drive)
    logs = "".join(p.read_text() for p in (server.data_dir / "log").glob("parser-*.log"))
    assert f"-{victim}-parser" in logs  # the survivor names whom it took the message over from


async def test_deleting_the_barrier_mid_batch_still_completes(
    client: ArgusClient, server: RunningServer, drive: list[Path], batch_id: str
) -> None:
    await upload_batch(client, batch_id, drive, complete=False)
    blob = StalledBlob(sorted((server.blob_root / "batches" / batch_id / "files").iterdir())[0])
    redis = Redis.from_url(server.redis_url)
    try:
        await client.complete(batch_id)
        for _ in range(500):  # every file but the stalled one is counted
            if (await client.status(batch_id))["files"]["parsed"] == len(drive) - 1:
                break
            await asyncio.sleep(0.02)
        assert await redis.hget(barrier_key(batch_id), "total") == str(len(drive)).encode()
        assert (
            await redis.delete(barrier_key(batch_id)) == 1
        )  # e.g. evicted, or Redis restarted empty
        blob.release()
        events = await follow_to_end(client, batch_id)
    finally:
        blob.close()
        await redis.aclose()
    assert statuses(events)[-1] == "completed"
    assert_counted_once(events, len(drive))
