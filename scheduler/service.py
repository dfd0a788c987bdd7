"""The scheduler: APScheduler on the bot's event loop wakes passes over the database; the
outbox worker sends what those passes (and the flows) queued.

The database is the source of truth, not APScheduler's memory: every pass asks "what is due
by now?" and each occurrence is processed once (see `scheduler/reminders.py`). So APScheduler
keeps only two jobs with fixed ids, rebuilt at every start:

- `scheduler:tick` every few minutes (drafts, practices awaiting changes, feedback escalation,
  practices awaiting review, the weekly digest of followed units, residents' consultations
  that reached their end, housekeeping, and a safety net for everything else);
- `scheduler:wake` at the next instant a calendar occurrence fires (a reminder at 08:00, a
  periodic report), replaced after each pass.

At start, before either job, one pass catches up on whatever fell due while the bot was down.
Beside them, `/report` requests are built in a child process and queued to the outbox
(`scheduler/ondemand_reports.py`). Run one scheduler per database (TECH-NOTES D).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from handlers.clock import Clock
from handlers.context import Services
from scheduler.consultations import ConsultationClosing
from scheduler.delivery import ChannelSender
from scheduler.digest import WeeklyDigest
from scheduler.escalation import FeedbackEscalation
from scheduler.housekeeping import Housekeeping
from scheduler.ondemand_reports import OnDemandReports
from scheduler.outbox import OutboxWorker
from scheduler.ratelimit import ChatRateLimiter, RateLimits, SharedBudget
from scheduler.reminders import DeadlineReminders, LeaderReminders, ReminderPolicy
from scheduler.report_process import ReportBuilder
from scheduler.reports import PeriodicReports
from scheduler.retention import Retention
from scheduler.review_reminders import ReviewReminders
from settings import Settings
from storage.db import Database
from storage.models import WEB_SESSION_LIFETIME

log = logging.getLogger(__name__)

TICK_JOB, WAKE_JOB = "scheduler:tick", "scheduler:wake"
TICK_MINUTES = 5
OUTBOX_CONNECTIONS = 8  # concurrent requests to the platform: enough for its 30/s cap

Pass = Callable[[], Awaitable[int]]


def telegram_limits(settings: Settings) -> RateLimits:
    return RateLimits(global_per_second=settings.telegram.global_rate,
                      per_chat_per_second=settings.telegram.per_chat_rate,
                      group_per_minute=settings.telegram.group_rate_per_minute)


class SchedulerService:
    def __init__(self, *, db: Database, clock: Clock, settings: Settings, services: Services,
                 senders: dict[str, ChannelSender], worker: OutboxWorker) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.senders = senders
        self.outbox = worker
        self.policy = ReminderPolicy.from_settings(settings.scheduler, settings.flows.tz)
        # Every workbook is built in one child process, so no chat waits for a jurisdiction.
        self.report_builder = ReportBuilder(db.url, settings.flows.tz)
        reports = PeriodicReports(db, settings.flows.tz, services.units, services.media,
                                  self.policy.quiet, self.report_builder)
        self.deadlines = DeadlineReminders(db, clock, self.policy, services.units, reports)
        self.leaders = LeaderReminders(db, clock, self.policy, services.features)
        self.escalation = FeedbackEscalation(
            db, clock, self.policy.quiet, services.units, services.features,
            ack_after=timedelta(days=settings.scheduler.escalation_ack_days),
            resolve_after=timedelta(days=settings.scheduler.escalation_resolve_days))
        self.on_queued: Callable[[str, int], None] | None = None
        """Told how many reminders each pass queued, by kind (deadline, leader_report,
        feedback_escalation, practice_review): /metrics counts them (bot/app.py)."""
        self.reviews = ReviewReminders(
            db, clock, self.policy.quiet, services.units, services.features,
            remind_after=timedelta(days=settings.scheduler.review_remind_days),
            escalate_after=timedelta(days=settings.scheduler.review_escalate_days))
        self.digest = WeeklyDigest(
            db, clock, self.policy.quiet, services.units, settings.flows.tz,
            site_url=settings.web.public_base_url
            or f"http://{settings.web.host}:{settings.web.port}",
            weekday=settings.scheduler.digest_weekday, hour=settings.scheduler.digest_hour)
        self.consultations = ConsultationClosing(db, clock, self.policy.quiet, settings.flows.tz,
                                                 services.features)
        self.ondemand_reports = OnDemandReports(db, clock, services.units, services.media,
                                                settings.flows.tz, on_queued=worker.wake,
                                                builder=self.report_builder)
        self.housekeeping = Housekeeping(
            db, clock,
            processed_updates_keep=timedelta(days=settings.scheduler.processed_updates_keep_days),
            web_session_lifetime=WEB_SESSION_LIFETIME,
            answers_keep=timedelta(hours=settings.webchat.answer_keep_hours),
            media=services.media)
        self.retention = Retention(db, clock, services.media,
                                   days=settings.flows.retention_days_after_close)
        self.scheduler = AsyncIOScheduler(timezone=settings.flows.tz, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        self._lock = asyncio.Lock()

    @classmethod
    def build(cls, settings: Settings, db: Database, services: Services,
              senders: dict[str, ChannelSender],
              budgets: Mapping[str, SharedBudget] | None = None) -> SchedulerService:
        """`senders`: each channel's outbox sender, by channel name (the channels implement
        the outbox's delivery port, scheduler/delivery.py); `budgets`: a platform's rate
        budget shared with the replies, by channel name."""
        limiters = {"telegram": ChatRateLimiter(telegram_limits(settings),
                                                budget=(budgets or {}).get("telegram"))}
        policy = ReminderPolicy.from_settings(settings.scheduler, settings.flows.tz)
        worker = OutboxWorker(db, senders, services.clock, limiters=limiters, quiet=policy.quiet,
                              max_in_flight=settings.outbox.max_in_flight,
                              max_concurrent_requests=OUTBOX_CONNECTIONS,
                              resend_unconfirmed=settings.outbox.resend_unconfirmed)
        return cls(db=db, clock=services.clock, settings=settings, services=services,
                   senders=senders, worker=worker)

    @property
    def running(self) -> bool:
        return self.scheduler.running and self.outbox.running

    async def start(self) -> None:
        """Settle interrupted sends, catch up on what fell due while down, then run."""
        for sender in self.senders.values():
            await sender.start()
        await self.outbox.recover()
        await self.tick()
        self.scheduler.add_job(self.tick, IntervalTrigger(minutes=TICK_MINUTES), id=TICK_JOB,
                               replace_existing=True)
        self.scheduler.start()
        self._schedule_wake()
        self.outbox.start()
        self.ondemand_reports.start()  # first pass: requests left pending by a stopped process

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.ondemand_reports.stop()
        self.report_builder.close()
        await self.outbox.stop()
        for sender in self.senders.values():
            await sender.stop()

    async def tick(self) -> int:
        """One pass: everything due by now is queued (or recorded as skipped). Returns how
        many messages were queued."""
        async with self._lock:
            queued = 0
            passes: list[tuple[str, Pass]] = [("deadline", self.deadlines.run),
                                             ("leader_report", self.leaders.run),
                                             ("feedback_escalation", self.escalation.run),
                                             ("practice_review", self.reviews.run),
                                             ("digest", self.digest.run),
                                             ("consultation_close", self.consultations.run)]
            for name, run in passes:
                try:
                    count = await run()
                except Exception:
                    log.exception("scheduler pass failed", extra={"scheduler_pass": name})
                    continue
                queued += count
                if count and self.on_queued is not None:
                    self.on_queued(name, count)
            if queued:
                self.outbox.wake()
            self._schedule_wake()
            for name, chore in (("housekeeping", self.housekeeping.run),
                                ("retention", self.retention.run)):
                try:
                    await chore()
                except Exception:
                    log.exception("scheduler pass failed", extra={"scheduler_pass": name})
            return queued

    def _schedule_wake(self) -> None:
        """(Re)place the one-off job at the next calendar instant, measured on the injected
        clock (so a test's clock and APScheduler's wall clock never need to agree)."""
        if not self.scheduler.running:
            return
        target = self.deadlines.next_fire
        if target is None:
            if self.scheduler.get_job(WAKE_JOB):
                self.scheduler.remove_job(WAKE_JOB)
            return
        delay = max(target - self.clock.now(), timedelta(0))
        run_at = datetime.now(self.settings.flows.tz) + delay
        self.scheduler.add_job(self.tick, DateTrigger(run_at), id=WAKE_JOB, replace_existing=True)
