"""A TCP proxy that limits bandwidth: slow storage for fault tests (like toxiproxy's
bandwidth toxic), so a parser can be killed while it is provably in the middle of a file."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time


class ThrottleProxy:
    """Forwards 127.0.0.1:`port` → `target`; downstream bytes at most `bytes_per_s`."""

    def __init__(self, target_host: str, target_port: int, *, bytes_per_s: int) -> None:
        self._target = (target_host, target_port)
        self._rate = bytes_per_s
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self.port = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ThrottleProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()
        for task in asyncio.all_tasks(self._loop):
            task.cancel()
        self._loop.run_until_complete(asyncio.sleep(0))
        self._loop.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self._target)
        await asyncio.gather(
            self._pipe(reader, up_writer, throttle=False),
            self._pipe(up_reader, writer, throttle=True),
            return_exceptions=True,
        )

    async def _pipe(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, throttle: bool
    ) -> None:
        try:
            while data := await source.read(16 * 1024):
                started = time.monotonic()
                sink.write(data)
                await sink.drain()
                if throttle:
                    await asyncio.sleep(
                        max(0.0, len(data) / self._rate - (time.monotonic() - started))
                    )
        finally:
            with contextlib.suppress(Exception):
                sink.close()
