"""The weekly digest: to each person who follows a commune or a province (/theodoi), the
practices approved or recognised there in the past week, with a photo and a link to each one's
public page.

It goes out at `DIGEST_WEEKDAY` / `DIGEST_HOUR` local time, held back through quiet hours, paced
by the outbox like everything else. A pass over the database like the other reminders: the
week's occurrence is processed once (a `ReminderRun` keyed by the week), and each person's
digest has an outbox key of its own, so passes that run again, late or on two workers after a
leader change never send one twice. Nobody gets an empty digest. Someone reachable only on Zalo
OA who has not written in 7 days cannot be written to (the OA's window): their digest is
recorded as skipped, not queued to wait for them; and a digest not sent within its week expires.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.clock import Clock, to_db
from handlers.i18n import Translator
from handlers.replies import PhotoReply, Reply, TextReply, to_payload
from scheduler.calendar import QuietHours, local_instant
from storage.db import Database
from storage.models import Person, ReminderRunStatus
from storage.repositories import follows as follows_repo
from storage.repositories import people
from storage.repositories import reminders as reminders_repo
from storage.repositories.follows import DigestItem
from storage.units import UnitDirectory

log = logging.getLogger(__name__)

WEEK = timedelta(days=7)
OA_WINDOW = timedelta(days=7)
MAX_ITEMS = 10
"""Practices listed in one digest; more are counted, with a link to the map."""
MAX_PHOTOS = 3


@dataclass
class WeeklyDigest:
    db: Database
    clock: Clock
    quiet: QuietHours
    units: UnitDirectory
    tz: ZoneInfo
    site_url: str
    weekday: int = 7
    """ISO weekday: 1 = Monday … 7 = Sunday."""
    hour: int = 9

    def latest_fire(self, now: datetime) -> datetime:
        """The latest digest instant at or before `now`."""
        local = now.astimezone(self.tz)
        day = local.date() - timedelta(days=(local.isoweekday() - self.weekday) % 7)
        fire = local_instant(day, self.hour, self.tz)
        return fire if fire <= now else local_instant(day - WEEK, self.hour, self.tz)

    async def run(self) -> int:
        """Queue this week's digests if they are due and not yet queued; returns how many."""
        now = self.clock.now()
        fire = self.latest_fire(now)
        key = f"digest:{fire.astimezone(self.tz).date().isoformat()}"
        async with self.db.session() as session:
            if await reminders_repo.run_keys(session, keys=[key]):
                return 0
            items = await follows_repo.newly_public(session, since=to_db(fire - WEEK),
                                                    until=to_db(fire))
            follows = await follows_repo.all_follows(session) if items else []
            wanted = _per_person(items, follows)
            reachable = await follows_repo.reachable(
                session, person_ids=wanted, oa_seen_since=to_db(now - OA_WINDOW))
            queued = skipped = 0
            not_before = self.quiet.release(now)
            for person_id, chosen in wanted.items():
                person_key = f"{key}:p{person_id}"
                if person_id not in reachable:
                    skipped += int(await reminders_repo.record_skipped(
                        session, key=person_key, person_id=person_id, now=to_db(now),
                        reason="outside Zalo OA's 7-day window or no active account"))
                    continue
                person = await people.get_person(session, person_id)
                if person is None:
                    continue
                queued += int(await reminders_repo.schedule(
                    session, key=person_key, person_id=person_id,
                    payload=to_payload(self._message(person, chosen)), now=to_db(now),
                    not_before=to_db(not_before), expires_at=to_db(fire + WEEK)))
            await reminders_repo.record_run(
                session, key=key, deadline_id=None, fire_at=to_db(fire),
                status=ReminderRunStatus.DONE, recipients=queued,
                note=f"{len(items)} practices, {skipped} skipped", now=to_db(now))
            await session.commit()
        log.info("weekly digest queued", extra={"digest": key, "practices": len(items),
                                                "queued": queued, "skipped": skipped})
        return queued

    def link(self, code: str | None) -> str:
        return f"{self.site_url.rstrip('/')}/practices/{code}"

    def _message(self, person: Person, items: list[DigestItem]) -> list[Reply]:
        t = Translator(person.language)
        lines = [t("digest.title", count=len(items))]
        for item in items[:MAX_ITEMS]:
            unit = self.units.get(item.practice.commune_code)
            lines.append(t(f"digest.item.{item.event}", title=item.practice.title[:120],
                           place=unit.label if unit else item.practice.commune_code,
                           link=self.link(item.practice.code)))
        if len(items) > MAX_ITEMS:
            lines.append(t("digest.more", count=len(items) - MAX_ITEMS,
                           link=self.site_url.rstrip("/") + "/"))
        lines.append(t("digest.footer"))
        replies: list[Reply] = [TextReply("\n\n".join(lines))]
        photos = [item for item in items[:MAX_ITEMS] if item.photo is not None][:MAX_PHOTOS]
        for item in photos:
            assert item.photo is not None
            replies.append(PhotoReply(item.photo.path, caption=t(
                "digest.photo", title=item.practice.title[:120],
                link=self.link(item.practice.code))))
        return replies


def _per_person(items: list[DigestItem], follows) -> dict[int, list[DigestItem]]:  # noqa: ANN001
    """Each follower's practices: those of the communes and provinces they follow, once."""
    by_unit: dict[str, list[DigestItem]] = defaultdict(list)
    for item in items:
        by_unit[item.practice.commune_code].append(item)
        by_unit[item.practice.province_code].append(item)
    chosen: dict[int, dict[int, DigestItem]] = defaultdict(dict)
    for row in follows:
        for item in by_unit.get(row.unit_code, ()):
            chosen[row.person_id].setdefault(item.practice.id or 0, item)
    order = {id(item): index for index, item in enumerate(items)}
    return {person: sorted(found.values(), key=lambda i: order[id(i)])
            for person, found in chosen.items()}
