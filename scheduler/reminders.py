"""Reminders: deadlines to their officials, and leaders to what waits for them.

Everything here is a pass over the database at an instant ("what is due now?"), safe to run
again at any time: each occurrence is processed once (a `ReminderRun` for calendar occurrences,
an outbox idempotency key for per-person ones), so a restart, a second run or a run after
downtime never sends anything twice. APScheduler only decides when a pass runs.

Downtime: an occurrence whose time passed while the bot was down is sent once when the bot is
back if it is still useful (before the deadline's end, or before the next step of a leader's
reminder), otherwise recorded as skipped with the reason. Of several missed reminders of one
deadline only the latest is sent; the earlier ones are recorded as superseded.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.clock import Clock, from_db, to_db
from handlers.commands import Features
from handlers.deadline_text import describe_deadline, when_text
from handlers.i18n import Translator
from handlers.replies import ACTION_TOKEN, MENU_TOKEN, Option, TextReply, to_payload
from handlers.state import has_draft_answers
from scheduler.calendar import QuietHours, end_of_day, local_instant, reminder_at
from settings import SchedulerSettings
from storage.db import Database
from storage.models import REPORT_DEADLINE_KINDS, Deadline, Person, ReminderRunStatus
from storage.repositories import deadlines as deadlines_repo
from storage.repositories import reminders as reminders_repo
from storage.units import UnitDirectory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderPolicy:
    tz: ZoneInfo
    quiet: QuietHours
    offsets_days: tuple[int, ...] = (30, 7, 1)
    hour: int = 8
    leader_steps_hours: tuple[int, ...] = (24, 168)
    leader_grace: timedelta = timedelta(days=7)
    """How long the last leader reminder stays worth sending after its time (downtime)."""
    report_grace: timedelta = timedelta(days=15)
    """How long after its date a periodic report missed during downtime is still sent."""

    @classmethod
    def from_settings(cls, settings: SchedulerSettings, tz: ZoneInfo) -> ReminderPolicy:
        start, end = settings.quiet_window or (None, None)
        return cls(tz=tz, quiet=QuietHours(tz, start, end),
                   offsets_days=settings.reminder_offsets_days, hour=settings.reminder_hour,
                   leader_steps_hours=settings.draft_reminder_hours)


@dataclass(frozen=True)
class Occurrence:
    """One firing of a deadline: a reminder `offset_days` before it, or (None) its report."""

    deadline: Deadline
    offset_days: int | None
    fire_at: datetime
    expires_at: datetime

    @property
    def key(self) -> str:
        d = self.deadline
        what = "report" if self.offset_days is None else f"{self.offset_days}d"
        return f"deadline:{d.id}:{d.due_date.isoformat()}:{what}"


def occurrences(deadline: Deadline, policy: ReminderPolicy) -> list[Occurrence]:
    due, tz = deadline.due_date, policy.tz
    found = [Occurrence(deadline, offset, reminder_at(due, offset, policy.hour, tz),
                        end_of_day(due, tz))
             for offset in policy.offsets_days]
    if deadline.kind in REPORT_DEADLINE_KINDS:
        found.append(Occurrence(deadline, None, local_instant(due, policy.hour, tz),
                                end_of_day(due, tz) + policy.report_grace))
    return found


SendReports = Callable[[Occurrence, Sequence[Person], datetime], Awaitable[int]]


@dataclass
class DeadlineReminders:
    db: Database
    clock: Clock
    policy: ReminderPolicy
    units: UnitDirectory
    send_reports: SendReports | None = None
    next_fire: datetime | None = field(default=None, init=False)
    """The next instant a calendar occurrence fires (for the scheduler's wake-up)."""

    async def run(self) -> int:
        """Process every calendar occurrence due by now; returns how many messages were queued."""
        now = self.clock.now()
        async with self.db.session() as session:
            deadlines = await deadlines_repo.active(session)
            by_deadline = [occurrences(d, self.policy) for d in deadlines]
            due = [o for occs in by_deadline for o in occs if o.fire_at <= now]
            done = await reminders_repo.run_keys(session, keys=[o.key for o in due])
        upcoming = [o.fire_at for occs in by_deadline for o in occs if o.fire_at > now]
        self.next_fire = min(upcoming) if upcoming else None
        queued = 0
        for occs in by_deadline:
            reminders = sorted((o for o in occs if o.fire_at <= now and o.offset_days is not None),
                               key=lambda o: o.fire_at)
            for occurrence in reminders[:-1]:
                if occurrence.key not in done:
                    await self._skip(occurrence, "superseded by a later reminder", now)
            todo = reminders[-1:] + [o for o in occs if o.fire_at <= now and o.offset_days is None]
            for occurrence in todo:
                if occurrence.key in done:
                    continue
                if now >= occurrence.expires_at:
                    await self._skip(occurrence, "missed while down; past the deadline", now)
                else:
                    queued += await self._fire(occurrence, now)
        return queued

    async def _skip(self, occurrence: Occurrence, note: str, now: datetime) -> None:
        async with self.db.session() as session:
            await reminders_repo.record_run(
                session, key=occurrence.key, deadline_id=occurrence.deadline.id,
                fire_at=occurrence.fire_at, status=ReminderRunStatus.SKIPPED, recipients=0,
                note=note, now=to_db(now))
            await session.commit()
        log.info("calendar occurrence skipped", extra={"key": occurrence.key, "note": note})

    async def _fire(self, occurrence: Occurrence, now: datetime) -> int:
        deadline = occurrence.deadline
        async with self.db.session() as session:
            officials = await deadlines_repo.officials_in_scope(
                session, level=deadline.level, scope_code=deadline.scope_code)
        if occurrence.offset_days is None:
            send = self.send_reports
            queued = await send(occurrence, officials, now) if send else 0
        else:
            queued = 0
        async with self.db.session() as session:
            if occurrence.offset_days is not None:
                not_before = self.policy.quiet.release(max(now, occurrence.fire_at))
                for official in officials:
                    queued += await reminders_repo.schedule(
                        session, key=f"{occurrence.key}:p{official.id}", person_id=official.id,
                        payload=to_payload([self._reminder(official, deadline, now)]),
                        now=to_db(now), not_before=to_db(not_before),
                        expires_at=to_db(occurrence.expires_at))
            await reminders_repo.record_run(
                session, key=occurrence.key, deadline_id=deadline.id,
                fire_at=occurrence.fire_at, status=ReminderRunStatus.DONE,
                recipients=len(officials), note=None, now=to_db(now))
            await session.commit()
        log.info("calendar occurrence fired", extra={
            "key": occurrence.key, "recipients": len(officials), "queued": queued})
        return queued

    def _reminder(self, official: Person, deadline: Deadline, now: datetime) -> TextReply:
        t = Translator(official.language)
        today = now.astimezone(self.policy.tz).date()
        return TextReply(t("reminder.deadline", title=deadline.title,
                           what=describe_deadline(t, deadline, self.units),
                           due=deadline.due_date.strftime("%d/%m/%Y"),
                           when=when_text(t, deadline.due_date, today)))


@dataclass
class LeaderReminders:
    """Leaders whose draft was left untouched, or whose practice awaits their changes: once
    after each step (24 h, then 7 days by default), then never (until they touch it again)."""

    db: Database
    clock: Clock
    policy: ReminderPolicy
    features: Features

    async def run(self) -> int:
        now = self.clock.now()
        steps = self.policy.leader_steps_hours
        newest = now - timedelta(hours=steps[0])
        oldest = now - timedelta(hours=steps[-1]) - self.policy.leader_grace
        async with self.db.session() as session:
            drafts = await reminders_repo.stale_drafts(
                session, touched_before=to_db(newest), touched_after=to_db(oldest))
            practices = await reminders_repo.practices_awaiting_changes(
                session, changed_before=to_db(newest), changed_after=to_db(oldest))
            persons = await reminders_repo.people(
                session,
                ids=[a.person_id for _, a in drafts] + [p.submitter_id for p in practices])
        items: list[tuple[str, datetime, Person, Callable[[Translator], TextReply]]] = []
        for conversation, account in drafts:
            person = persons.get(account.person_id)
            if person is None or not has_draft_answers(conversation.data):
                continue  # a flow just opened, nothing typed yet: nothing to lose
            anchor = from_db(conversation.updated_at)
            items.append((f"draft:{conversation.id}", anchor, person,
                          self._draft(conversation.flow or "", anchor)))
        for practice in practices:
            person = persons.get(practice.submitter_id)
            if person is not None:
                anchor = from_db(practice.updated_at)
                items.append((f"changes:{practice.id}", anchor, person,
                              self._changes(practice.id, practice.code or "", practice.title,
                                            anchor)))
        queued = 0
        for what, anchor, person, build in items:
            queued += await self._remind(what, anchor, person, build, now)
        return queued

    async def _remind(self, what: str, anchor: datetime, person: Person,
                      build: Callable[[Translator], TextReply], now: datetime) -> int:
        steps = self.policy.leader_steps_hours
        due = [i for i, hours in enumerate(steps) if anchor + timedelta(hours=hours) <= now]
        if not due:
            return 0
        keys = [f"{what}:{int(anchor.timestamp())}:{steps[i]}h" for i in due]
        async with self.db.session() as session:
            known = await reminders_repo.outbox_keys(session, keys=keys)
            if keys[-1] in known:
                return 0
            for key in keys[:-1]:
                if key not in known:
                    await reminders_repo.record_skipped(
                        session, key=key, person_id=person.id, now=to_db(now),
                        reason="superseded by a later reminder")
            last = due[-1]
            expires = anchor + (timedelta(hours=steps[last + 1]) if last + 1 < len(steps)
                                else timedelta(hours=steps[last]) + self.policy.leader_grace)
            queued = 0
            if now >= expires:
                await reminders_repo.record_skipped(
                    session, key=keys[-1], person_id=person.id, now=to_db(now),
                    reason="missed while down; no longer useful")
            else:
                queued = int(await reminders_repo.schedule(
                    session, key=keys[-1], person_id=person.id,
                    payload=to_payload([build(Translator(person.language))]), now=to_db(now),
                    not_before=to_db(self.policy.quiet.release(now)), expires_at=to_db(expires)))
            await session.commit()
        return queued

    def _draft(self, flow: str, anchor: datetime) -> Callable[[Translator], TextReply]:
        command = next((c.name for c in self.features.commands.values() if c.flow == flow), None)
        since = anchor.astimezone(self.policy.tz).strftime("%d/%m/%Y %H:%M")

        def build(t: Translator) -> TextReply:
            text = t("reminder.draft", flow=t(f"flow.name.{flow}"), since=since)
            if command is None:
                return TextReply(text)
            return TextReply(text, (Option(t("reminder.draft.continue"), command),),
                             token=MENU_TOKEN)

        return build

    def _changes(self, practice_id: int, code: str, title: str,
                 anchor: datetime) -> Callable[[Translator], TextReply]:
        since = anchor.astimezone(self.policy.tz).strftime("%d/%m/%Y")
        edit = "pr_edit" if "pr_edit" in self.features.actions else None

        def build(t: Translator) -> TextReply:
            text = t("reminder.changes", code=code, title=title[:120], since=since)
            if edit is None:
                return TextReply(text)
            return TextReply(text, (Option(t("reminder.changes.edit"), f"{edit}:{practice_id}"),),
                             token=ACTION_TOKEN)

        return build
