"""Housekeeping: forget what only had to be kept for a while.

Every update marks its id as processed (so a redelivery is dropped; a web chat action keeps
its answer beside the mark, for a retry that lost it), every notice for a web chat waits in a
table until its page shows it, every report is a workbook in the media store, and every voice
note is kept when it arrives, before anyone knows whether a question will take it. All would
grow for as long as the bot runs; this pass, run with every scheduler tick, deletes what can no
longer matter, rows in short batches so that a first run after months never holds the
database for long.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from handlers.clock import Clock, to_db
from scheduler.reports import REPORTS_DIR
from storage.db import Database
from storage.media import VOICE_DIR, MediaStore
from storage.repositories import updates, voice_notes, web_notices

log = logging.getLogger(__name__)

BATCH = 2_000
MAX_BATCHES = 50
"""Per pass: a backlog larger than 100,000 rows goes in the following ticks."""
SEEN_NOTICES_KEEP = timedelta(days=30)
"""A page keeps its own copy of what it has shown; the stored one is history only."""
REPORT_FILES_KEEP = timedelta(days=30)
"""Long after the outbox has delivered them (or given up); the person keeps their copy, and
a report can be asked for again at any time."""
UNUSED_VOICE_KEEP = timedelta(days=1)
"""A voice note no feedback and no conversation holds, a day after it was kept: sent where no
question takes one, or in a draft since cancelled (a draft in progress holds its notes)."""


class Housekeeping:
    def __init__(self, db: Database, clock: Clock, *, processed_updates_keep: timedelta,
                 web_session_lifetime: timedelta, media: MediaStore | None = None,
                 answers_keep: timedelta = timedelta(hours=24), batch: int = BATCH,
                 unused_voice_keep: timedelta = UNUSED_VOICE_KEEP) -> None:
        self.db = db
        self.unused_voice_keep = unused_voice_keep
        self.answers_keep = answers_keep
        """Kept answers of web chat actions: a retry comes within minutes; they hold what the
        person wrote, so they go long before the marks."""
        self.media = media
        self.clock = clock
        self.processed_updates_keep = processed_updates_keep
        self.web_session_lifetime = web_session_lifetime
        self.batch = batch

    async def run(self) -> int:
        """One pass; returns how many rows were deleted."""
        now = to_db(self.clock.now())
        forgotten_updates = await self._in_batches(
            lambda session: updates.forget_before(
                session, before=now - self.processed_updates_keep, limit=self.batch))
        forgotten_answers = await self._in_batches(
            lambda session: updates.forget_answers_before(
                session, before=now - self.answers_keep, limit=self.batch))
        forgotten_notices = await self._in_batches(
            lambda session: web_notices.forget(
                session, seen_before=now - SEEN_NOTICES_KEEP,
                created_before=now - self.web_session_lifetime, limit=self.batch))
        removed_files = 0
        if self.media is not None:
            # A workbook's age is the store's: its wall clock, not the injected one.
            removed_files = await asyncio.to_thread(
                self.media.forget_documents, f"{REPORTS_DIR}/",
                written_before=datetime.now(UTC) - REPORT_FILES_KEEP)
        removed_voices = await self._forget_unused_voice_notes()
        if (forgotten_updates or forgotten_answers or forgotten_notices or removed_files
                or removed_voices):
            log.info("housekeeping", extra={"processed_updates_deleted": forgotten_updates,
                                            "kept_answers_forgotten": forgotten_answers,
                                            "web_notices_deleted": forgotten_notices,
                                            "report_files_deleted": removed_files,
                                            "unused_voice_notes_deleted": removed_voices})
        return forgotten_updates + forgotten_notices + removed_files + removed_voices

    async def _forget_unused_voice_notes(self) -> int:
        """Voice notes nobody holds, older than `unused_voice_keep` by the store's clock."""
        if self.media is None:
            return 0
        media = self.media
        before = datetime.now(UTC) - self.unused_voice_keep
        old = await asyncio.to_thread(lambda: [
            info.key for info in media.objects.list(f"{VOICE_DIR}/")
            if info.modified < before and info.key.endswith(".ogg")])
        if not old:
            return 0
        async with self.db.session() as session:
            used = await voice_notes.in_use(session, old)
        unused = [key for key in old if key not in used]

        def delete() -> None:
            for key in unused:
                media.objects.delete(key)

        await asyncio.to_thread(delete)
        return len(unused)

    async def _in_batches(self, delete_some) -> int:  # noqa: ANN001
        total = 0
        for _ in range(MAX_BATCHES):
            async with self.db.session() as session:
                deleted = await delete_some(session)
                await session.commit()
            total += deleted
            if deleted < self.batch:
                break
        return total

