"""Feedback that waits too long: a reminder, then escalation one level up.

- Not acknowledged `ESCALATION_ACK_DAYS` (3) after it arrived (still `new`), or after it was
  forwarded to another unit (still `forwarded`): the officials responsible for it are reminded,
  once.
- Not resolved `ESCALATION_RESOLVE_DAYS` (15) after it arrived (or after it was reopened): it is
  escalated, once: an `escalated` entry goes into its history and the officials of the level
  above whoever answers for it are told — the province's above a commune's (the central level's
  if the province has none yet), the central level's above a province's. Feedback the central
  level answers for has nowhere to go: the pass notes it and tells nobody twice.

A pass over the database like the other reminders: each step is processed once (a
`ReminderRun` keyed by feedback, step and the instant its clock started), so a pass may run at
any time; after downtime, what became due is done once when the bot is back.
Messages wait for the end of quiet hours; the history entry is written when escalation happens.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.clock import Clock, from_db, to_db
from handlers.commands import Features
from handlers.i18n import Translator
from handlers.replies import ACTION_TOKEN, Option, TextReply, to_payload
from scheduler.calendar import QuietHours
from storage.db import Database
from storage.models import (
    Feedback,
    FeedbackEventKind,
    FeedbackStatus,
    Level,
    Person,
    ReminderRunStatus,
    is_open,
)
from storage.repositories import feedback as feedback_repo
from storage.repositories import reminders as reminders_repo
from storage.repositories.officials import officials_above, responsible_officials
from storage.units import UnitDirectory

log = logging.getLogger(__name__)

ESCALATED = "escalated"
"""The history entry's kind (a plain string, as `FeedbackEventKind` values are stored)."""
SYSTEM = "system"


@dataclass
class FeedbackEscalation:
    db: Database
    clock: Clock
    quiet: QuietHours
    units: UnitDirectory
    features: Features
    ack_after: timedelta = timedelta(days=3)
    resolve_after: timedelta = timedelta(days=15)

    async def run(self) -> int:
        now = self.clock.now()
        async with self.db.session() as session:
            waiting = await reminders_repo.open_feedback(
                session, received_before=to_db(now - min(self.ack_after, self.resolve_after)))
            events = await reminders_repo.feedback_events(
                session, feedback_ids=[f.id for f in waiting],
                kinds=(FeedbackEventKind.FORWARDED, ESCALATED))
            due = [(f, *occurrence) for f in waiting
                   for occurrence in self._due(f, events.get(f.id, []), now)]
            done = await reminders_repo.run_keys(session, keys=[key for _, key, _ in due])
        queued = 0
        for feedback, key, step in due:
            if key not in done:
                queued += await (self._acknowledge if step == "ack" else self._escalate)(
                    feedback, key, now)
        return queued

    def _due(self, feedback: Feedback, history: list, now: datetime) -> list[tuple[str, str]]:  # noqa: ANN001
        """The (occurrence key, step) pairs whose time has come for this feedback."""
        due = []
        since = None
        if feedback.status == FeedbackStatus.NEW:
            since = from_db(feedback.created_at)
        elif feedback.status == FeedbackStatus.FORWARDED:
            forwards = [e for e in history if e.kind == FeedbackEventKind.FORWARDED]
            since = from_db(forwards[-1].created_at) if forwards else from_db(feedback.updated_at)
        if since is not None and now - since >= self.ack_after:
            due.append((f"fbesc:{feedback.id}:ack:{int(since.timestamp())}", "ack"))
        opened = from_db(feedback.reopened_at or feedback.created_at)
        if now - opened >= self.resolve_after:
            due.append((f"fbesc:{feedback.id}:resolve:{int(opened.timestamp())}", "resolve"))
        return due

    async def _acknowledge(self, feedback: Feedback, key: str, now: datetime) -> int:
        async with self.db.session() as session:
            officials = await responsible_officials(
                session, unit_code=feedback.assigned_unit_code,
                province_code=feedback.assigned_province_code)
            queued = await self._notify(session, feedback, officials, key, now,
                                        "escalation.ack", days=self._days(self.ack_after))
            await reminders_repo.record_run(
                session, key=key, deadline_id=None, fire_at=to_db(now),
                status=ReminderRunStatus.DONE, recipients=len(officials), note=None,
                now=to_db(now))
            await session.commit()
        return queued

    async def _escalate(self, feedback: Feedback, key: str, now: datetime) -> int:
        async with self.db.session() as session:
            current = await feedback_repo.get(session, feedback.id)
            if current is None or not is_open(current.status):  # closed or merged meanwhile
                return 0
            level, officials = await officials_above(
                session, unit_code=current.assigned_unit_code,
                province_code=current.assigned_province_code)
            queued = 0
            if level is not None:
                await feedback_repo.add_event(
                    session, feedback=current, kind=ESCALATED, actor_id=None, actor_role=SYSTEM,
                    from_status=current.status, to_status=current.status,
                    unit_code=current.assigned_province_code if level == Level.PROVINCE else None,
                    now=to_db(now))
                queued = await self._notify(session, current, officials, key, now,
                                            "escalation.resolve", level=level,
                                            days=self._days(self.resolve_after))
            await reminders_repo.record_run(
                session, key=key, deadline_id=None, fire_at=to_db(now),
                status=ReminderRunStatus.DONE, recipients=len(officials),
                note=None if level else "no level above to tell", now=to_db(now))
            await session.commit()
        log.info("feedback escalated", extra={"feedback_id": feedback.id, "level": level,
                                              "officials": len(officials)})
        return queued

    async def _notify(self, session, feedback: Feedback, officials, occurrence: str,  # noqa: ANN001
                      now: datetime, key: str, *, days: int, level: str | None = None) -> int:
        queued = 0
        not_before = self.quiet.release(now)
        for official in officials:
            queued += int(await reminders_repo.schedule(
                session, key=f"{occurrence}:p{official.id}", person_id=official.id,
                payload=to_payload([self._message(official, feedback, key, days, level)]),
                now=to_db(now), not_before=to_db(not_before), expires_at=None))
        return queued

    def _message(self, official: Person, feedback: Feedback, key: str, days: int,
                 level: str | None) -> TextReply:
        t = Translator(official.language)
        category = (t(f"option.category.{feedback.category}")
                    if t.has(f"option.category.{feedback.category}") else feedback.category)
        unit = self.units.get(feedback.commune_code)
        text = t(key, code=feedback.code or "", category=category, days=days,
                 place=unit.label if unit else feedback.commune_code,
                 level=t(f"level.{level}") if level else "")
        if "fb_open" not in self.features.actions:
            return TextReply(text)
        open_label = t("officials.open") if t.has("officials.open") else feedback.code or ""
        return TextReply(text, (Option(open_label, f"fb_open:{feedback.id}"),),
                         token=ACTION_TOKEN)

    @staticmethod
    def _days(delta: timedelta) -> int:
        return round(delta.total_seconds() / 86400)
