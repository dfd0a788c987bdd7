"""Retention: the personal data on closed feedback (the sender's name, phone, photos and voice
notes) is erased RETENTION_DAYS_AFTER_CLOSE days after closing, in batches, at every scheduler
pass. The feedback, its history and the officials' answers stay
(storage/repositories/personal_data.py). The counts go to the log and to /metrics
(`on_erased`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from handlers.clock import Clock, to_db
from storage.db import Database
from storage.media import MediaStore
from storage.repositories import personal_data

log = logging.getLogger(__name__)

BATCH = 200
MAX_BATCHES = 25
"""Per pass: a larger backlog (the first run on an old database) goes in the following ticks."""


@dataclass
class RetentionCounts:
    feedback: int = 0
    photos: int = 0
    batches: int = 0
    voice_notes: int = 0


class Retention:
    def __init__(self, db: Database, clock: Clock, media: MediaStore, *, days: int,
                 batch: int = BATCH) -> None:
        self.db = db
        self.clock = clock
        self.media = media
        self.keep = timedelta(days=days)
        self.batch = batch
        self.on_erased: Callable[[RetentionCounts], None] | None = None
        """Told the counts of each pass that erased something (the app counts them)."""

    async def run(self) -> RetentionCounts:
        counts = RetentionCounts()
        closed_before = to_db(self.clock.now() - self.keep)
        for _ in range(MAX_BATCHES):
            async with self.db.session() as session:
                due = await personal_data.closed_feedback_due(
                    session, closed_before=closed_before, limit=self.batch)
                if not due:
                    break
                erased = await personal_data.erase_closed_feedback(session, due)
                await session.commit()
            await asyncio.to_thread(self._delete, erased.media_keys)
            counts.feedback += erased.feedback
            counts.photos += erased.photos
            counts.voice_notes += erased.voice_notes
            counts.batches += 1
            if len(due) < self.batch:
                break
        if counts.feedback:
            log.info("retention erased personal data of closed feedback", extra={
                "retention_feedback": counts.feedback, "retention_photos": counts.photos,
                "retention_voice_notes": counts.voice_notes,
                "retention_batches": counts.batches, "retention_days": self.keep.days})
            if self.on_erased is not None:
                self.on_erased(counts)
        return counts

    def _delete(self, keys: list[str]) -> None:
        for key in keys:
            self.media.objects.delete(key)
