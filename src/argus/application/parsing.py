"""Parser worker use case: turn a `FileScattered` into a stored summary and a result event."""

from __future__ import annotations

import asyncio
import json
import logging

from argus.application.ports import BlobStore, EventPublisher, Parser
from argus.domain.errors import NotFound
from argus.domain.events import Event, FileParsed, FileParseFailed, FileScattered
from argus.domain.parsed_file import ParsedFile

log = logging.getLogger(__name__)


def summary_key_for(batch_id: str, file_id: str) -> str:
    """Where the parse summary of a file is stored."""
    return f"batches/{batch_id}/summaries/{file_id}.json"


def failure_reason(parsed: ParsedFile) -> str:
    """One line naming the error that stopped the reader."""
    if not parsed.errors:
        return "the file ended before its footer"
    # Reading stops at the fatal error, so it is the last one; earlier ones were survivable.
    fatal = parsed.errors[-1]
    where = f" at byte {fatal.offset}" if fatal.offset is not None else ""
    record = f" in {fatal.record} record" if fatal.record else ""
    return f"{fatal.kind}{record}{where}: {fatal.message}"


class ParseFileHandler:
    """Parses one file per event. Stateless: storage in, summary and event out."""

    def __init__(self, *, blobs: BlobStore, parser: Parser, publisher: EventPublisher) -> None:
        self._blobs = blobs
        self._parser = parser
        self._publisher = publisher

    async def handle(self, event: Event) -> None:
        """Parse the file named by a `FileScattered`; other events are ignored."""
        if not isinstance(event, FileScattered):
            return
        log.info("parsing file %s of batch %s", event.file_id, event.batch_id)
        try:
            # Parsing is CPU-bound; the thread keeps the consumer's heartbeats flowing.
            parsed = await asyncio.to_thread(self._parse_blob, event.blob_key)
        except NotFound:
            await self._publisher.publish(
                [_failed(event, f"the uploaded object {event.blob_key} is missing")]
            )
            return
        key = summary_key_for(event.batch_id, event.file_id)
        await self._blobs.put_bytes(key, json.dumps(parsed.to_dict()).encode())
        result: Event
        if parsed.complete:
            result = FileParsed(
                batch_id=event.batch_id,
                file_id=event.file_id,
                summary_key=key,
                message_count=parsed.message_count,
                engine=parsed.engine,
            )
        else:
            result = _failed(event, failure_reason(parsed), summary_key=key)
        await self._publisher.publish([result])
        log.info(
            "parsed file %s of batch %s: %s", event.file_id, event.batch_id, type(result).__name__
        )

    async def give_up(self, event: Event, error: BaseException) -> None:
        """Retries are exhausted: the file fails, so the batch can still finish."""
        if isinstance(event, FileScattered):
            log.error("giving up on file %s: %s", event.file_id, error)
            await self._publisher.publish([_failed(event, f"parsing kept failing: {error!r}")])

    def _parse_blob(self, blob_key: str) -> ParsedFile:
        with self._blobs.open_reader(blob_key) as reader:
            return self._parser.parse(reader)


def _failed(
    event: FileScattered, reason: str, *, summary_key: str | None = None
) -> FileParseFailed:
    return FileParseFailed(
        batch_id=event.batch_id, file_id=event.file_id, reason=reason, summary_key=summary_key
    )
