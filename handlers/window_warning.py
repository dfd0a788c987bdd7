"""A warning for officials on a channel that may only write to people who wrote recently
(Zalo OA: 7 days): when their window is about to close, a notice carries one more line, at
most once a day, saying that reminders stop coming there unless they write. Who is an
official is the flows' business, so the adapter asks here before it sends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from handlers.clock import Clock, from_db
from handlers.i18n import Translator
from handlers.replies import Reply, TextReply
from storage.db import Database
from storage.models import Role
from storage.repositories import zalo_oa as oa_repo


class WindowWarnings:
    def __init__(self, db: Database, clock: Clock, tz: ZoneInfo, *, window: timedelta,
                 warn_before: timedelta) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz
        self.window = window
        self.warn_before = warn_before
        self._warned: dict[int, str] = {}
        """The day each account was last warned (local date)."""

    async def add_to(self, chat_id: str, replies: Sequence[Reply]) -> list[Reply]:
        """`replies`, and the warning after them when it is due for this Zalo OA user."""
        async with self.db.session() as session:
            found = await oa_repo.oa_recipient(session, user_id=chat_id)
            await session.commit()
        if found is None:
            return list(replies)
        account, person = found
        if person.role not in (Role.OFFICIAL, Role.ADMIN) or account.id is None:
            return list(replies)
        closes = from_db(account.last_seen_at) + self.window
        now = self.clock.now()
        today = now.astimezone(self.tz).date().isoformat()
        if not now < closes <= now + self.warn_before or self._warned.get(account.id) == today:
            return list(replies)
        self._warned[account.id] = today
        t = Translator(person.language)
        closes_at = closes.astimezone(self.tz).strftime("%H:%M %d/%m/%Y")
        days = f"{self.window.total_seconds() / 86400:g}"
        warning = t("zalo_oa.window_warning", days=days, closes=closes_at)
        return [*replies, TextReply(warning, language=person.language)]
