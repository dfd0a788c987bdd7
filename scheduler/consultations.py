"""Residents' consultations close at their end (handlers/officials/consultation_open.py): a
pass of the scheduler's tick closes every one that is due, keeps its result on the row, and
tells the commune's officials the result (through the outbox, after quiet hours).

Closing is one transaction per consultation and only touches open ones, so a pass may run at
any time, again, or after downtime; the notice is keyed per consultation and official.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from handlers.clock import Clock, to_db
from handlers.commands import Features
from handlers.i18n import Translator
from handlers.officials.consultation_view import result_lines
from handlers.replies import ACTION_TOKEN, Option, TextReply, to_payload
from scheduler.calendar import QuietHours
from storage.db import Database
from storage.repositories import consultations, reminders, reviews
from storage.repositories.officials import responsible_officials

log = logging.getLogger(__name__)


@dataclass
class ConsultationClosing:
    db: Database
    clock: Clock
    quiet: QuietHours
    tz: ZoneInfo
    features: Features

    async def run(self) -> int:
        """Close what is due by now; returns how many notices were queued."""
        now = to_db(self.clock.now())
        async with self.db.session() as session:
            due = [c.id for c in await consultations.due_to_close(session, now=now)]
        queued = 0
        for consultation_id in due:
            if consultation_id is not None:
                queued += await self._close(consultation_id)
        return queued

    async def _close(self, consultation_id: int) -> int:
        now = to_db(self.clock.now())
        async with self.db.session() as session:
            consultation = await consultations.get(session, consultation_id)
            if consultation is None or consultation.closed_at is not None:
                return 0
            practice = await reviews.get_practice(session, consultation.practice_id)
            result = await consultations.close(session, consultation=consultation, now=now)
            officials = [] if practice is None else await responsible_officials(
                session, unit_code=practice.commune_code, province_code=practice.province_code)
            queued = 0
            for official in officials:
                if official.id is None or practice is None:
                    continue
                t = Translator(official.language)
                text = "\n".join([t("consult.closed_notice", code=practice.code,
                                    title=practice.title[:120]),
                                  *result_lines(t, self.tz, consultation, result.comments)])
                options = (Option(t("officials.open"), f"pr_open:{practice.id}"),) \
                    if "pr_open" in self.features.actions else ()
                queued += int(await reminders.schedule(
                    session, key=f"cons:{consultation_id}:closed:p{official.id}",
                    person_id=official.id,
                    payload=to_payload([TextReply(text, options, token=ACTION_TOKEN)]),
                    now=now, not_before=to_db(self.quiet.release(now)), expires_at=None))
            await session.commit()
        log.info("consultation closed", extra={"consultation_id": consultation_id,
                                               "votes": result.votes, "officials": queued})
        return queued
