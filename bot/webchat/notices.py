"""What the bot says on its own to a web chat: an official's answer, a recognition, a reminder.

A browser cannot be written to, so the outbox's sender for the web chat stores each notice for
its chat (`WebNoticeSender`), and the chat's page asks for new ones when it opens and while it
stays open (`unseen_replies`, behind `GET /chat/notices`). The page acknowledges in each request
what it has shown (the highest notice id on screen): a notice whose answer was lost on a weak
connection comes again, one shown does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.webchat.convert import SESSION_DAYS
from bot.webchat.stores import NoticeStore
from handlers.clock import Clock, from_db
from handlers.replies import Reply, from_payload, to_payload
from scheduler.delivery import DeliveryError, Failure
from storage.models import Channel

MAX_NOTICES_PER_POLL = 20


class WebNoticeSender:
    """The outbox's sender for the web chat (`scheduler.delivery.ChannelSender`)."""

    channel = Channel.WEB.value

    def __init__(self, notices: NoticeStore, clock: Clock,
                 session_lifetime: timedelta = timedelta(days=SESSION_DAYS)) -> None:
        self.notices = notices
        self.clock = clock
        self.session_lifetime = session_lifetime

    async def start(self) -> None:
        """Nothing to open: notices are rows the chat page polls."""

    async def stop(self) -> None:
        """Nothing to close."""

    async def deliver(self, chat_id: str, replies: list[Reply]) -> None:
        """Keep the replies for the chat's page; a chat whose browser cookie has expired can
        never ask for them, so it counts as blocked (the outbox tries the person's other
        accounts, or records the message as undeliverable)."""
        now = self.clock.now()
        used = await self.notices.session_last_used_at(chat_id=chat_id)
        if used is None or from_db(used) + self.session_lifetime <= now:
            raise DeliveryError(Failure.BLOCKED, "the browser session has expired")
        await self.notices.add_notice(chat_id=chat_id, payload=to_payload(replies), now=now)


@dataclass(frozen=True)
class Unseen:
    replies: list[Reply]
    shown: int
    """The highest notice id the page will have on screen once it shows `replies`."""


async def unseen_replies(notices: NoticeStore, clock: Clock, *, chat_id: str,
                         shown: int) -> Unseen:
    """Record that the page has shown every notice up to id `shown`; then what it has not.

    Most polls find nothing new and acknowledge nothing: they only read."""
    rows = await notices.unseen(chat_id=chat_id, limit=2 * MAX_NOTICES_PER_POLL)
    if any(row.id <= shown for row in rows):
        await notices.mark_seen(chat_id=chat_id, up_to=shown, now=clock.now())
    fresh = [row for row in rows if row.id > shown][:MAX_NOTICES_PER_POLL]
    replies = [reply for row in fresh for reply in from_payload(row.payload)]
    return Unseen(replies, max([shown, *(row.id for row in fresh)]))
