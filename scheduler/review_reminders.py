"""Practices that wait too long for review: a reminder, then escalation to the next level, as
feedback gets (scheduler/escalation.py).

- Awaiting review `REVIEW_REMIND_DAYS` (7) since it was sent (or sent again after changes): the
  officials who review it (its commune's, else its province's, else the central level's) are
  reminded, once.
- Awaiting review `REVIEW_ESCALATE_DAYS` (30): the next level up from those officials is told,
  once: the province's above a commune's (the central level's if the province has none), the
  central level's above a province's.

A pass over the database like the other reminders: each step is processed once per time the
practice started waiting (a `ReminderRun` keyed by practice, step and that instant, and an
outbox key per official), so a pass may run at any time, again, or after downtime.
Messages wait for the end of quiet hours.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.clock import Clock, from_db, to_db
from handlers.commands import Features
from handlers.i18n import Translator
from handlers.replies import ACTION_TOKEN, Option, TextReply, to_payload
from scheduler.calendar import QuietHours
from storage.db import Database
from storage.models import Person, Practice, PracticeStatus, ReminderRunStatus
from storage.repositories import reminders as reminders_repo
from storage.repositories import reviews
from storage.repositories.officials import officials_above, responsible_officials
from storage.units import UnitDirectory

log = logging.getLogger(__name__)

REMIND, ESCALATE = "remind", "escalate"


@dataclass
class ReviewReminders:
    db: Database
    clock: Clock
    quiet: QuietHours
    units: UnitDirectory
    features: Features
    remind_after: timedelta = timedelta(days=7)
    escalate_after: timedelta = timedelta(days=30)

    async def run(self) -> int:
        """Remind and escalate whatever became due by now; returns how many messages were
        queued."""
        now = self.clock.now()
        async with self.db.session() as session:
            waiting = await reminders_repo.practices_awaiting_review(
                session,
                waiting_since_before=to_db(now - min(self.remind_after, self.escalate_after)))
            due = [(p, *occurrence) for p in waiting for occurrence in self._due(p, now)]
            done = await reminders_repo.run_keys(session, keys=[key for _, key, _ in due])
        queued = 0
        for practice, key, step in due:
            if key not in done and practice.id is not None:
                queued += await self._fire(practice.id, key, step, now)
        return queued

    def _due(self, practice: Practice, now: datetime) -> list[tuple[str, str]]:
        """The (occurrence key, step) pairs whose time has come for this practice."""
        since = from_db(practice.updated_at)
        stamp = int(since.timestamp())
        return [(f"prreview:{practice.id}:{step}:{stamp}", step)
                for step, after in ((REMIND, self.remind_after),
                                    (ESCALATE, self.escalate_after))
                if now - since >= after]

    async def _fire(self, practice_id: int, key: str, step: str, now: datetime) -> int:
        async with self.db.session() as session:
            practice = await reviews.get_practice(session, practice_id)
            if practice is None or practice.status != PracticeStatus.SUBMITTED:
                return 0  # reviewed since the pass began
            level: str | None = None
            if step == REMIND:
                officials = await responsible_officials(
                    session, unit_code=practice.commune_code,
                    province_code=practice.province_code)
            else:
                level, officials = await officials_above(
                    session, unit_code=practice.commune_code,
                    province_code=practice.province_code)
            queued = await self._notify(session, practice, officials, key, now, step, level)
            await reminders_repo.record_run(
                session, key=key, deadline_id=None, fire_at=to_db(now),
                status=ReminderRunStatus.DONE, recipients=len(officials),
                note=None if officials else "no official to tell", now=to_db(now))
            await session.commit()
        log.info("practice awaiting review too long", extra={
            "practice_id": practice_id, "step": step, "officials": len(officials),
            "level": level})
        return queued

    async def _notify(self, session: AsyncSession, practice: Practice,
                      officials: Sequence[Person], occurrence: str, now: datetime, step: str,
                      level: str | None) -> int:
        queued = 0
        not_before = self.quiet.release(now)
        for official in officials:
            if official.id is None:
                continue
            queued += int(await reminders_repo.schedule(
                session, key=f"{occurrence}:p{official.id}", person_id=official.id,
                payload=to_payload([self._message(official, practice, step, level)]),
                now=to_db(now), not_before=to_db(not_before), expires_at=None))
        return queued

    def _message(self, official: Person, practice: Practice, step: str,
                 level: str | None) -> TextReply:
        t = Translator(official.language)
        unit = self.units.get(practice.commune_code)
        after = self.remind_after if step == REMIND else self.escalate_after
        text = t(f"review.{step}", code=practice.code or "", title=practice.title[:120],
                 place=unit.label if unit else practice.commune_code,
                 days=round(after.total_seconds() / 86400),
                 level=t(f"level.{level}") if level else "")
        if "pr_open" not in self.features.actions:
            return TextReply(text)
        return TextReply(text, (Option(t("officials.open"), f"pr_open:{practice.id}"),),
                         token=ACTION_TOKEN)
