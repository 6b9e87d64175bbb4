"""Engineers' feedback on a diagnosis: store it, and let readers see it at once."""

from __future__ import annotations

import logging

from argus.application.ports import FeedbackRepository, ReportCache
from argus.application.report_memory import ReportMemory
from argus.domain.analysis.feedback import Feedback
from argus.domain.errors import Unavailable

__all__ = ["FeedbackService"]

log = logging.getLogger(__name__)


class FeedbackService:
    """Confirms or corrects a batch's diagnosis; the latest feedback wins."""

    def __init__(
        self,
        *,
        feedback: FeedbackRepository,
        cache: ReportCache,
        memory: ReportMemory | None = None,
    ) -> None:
        self._feedback = feedback
        self._cache = cache
        # This process' in-memory copies (decision 0030); other processes' expire by themselves.
        self._memory = memory

    async def submit(self, batch_id: str, feedback: Feedback) -> tuple[Feedback, bool]:
        """Store `feedback` (True when it is the batch's first) and drop the cached report.

        NotFound for an unknown batch, Conflict before the batch is diagnosed.
        """
        stored, created = await self._feedback.save(batch_id, feedback)
        if self._memory is not None:
            self._memory.discard(batch_id)
        # Final reports are cached (decision 0004); feedback is the one change they see.
        try:
            await self._cache.delete(batch_id)
        except Unavailable:
            log.warning(
                "report cache unavailable; %s may show old feedback until its TTL",
                batch_id,
                exc_info=True,
            )
        return stored, created
