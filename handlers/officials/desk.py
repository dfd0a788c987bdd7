"""An official working from the web console (bot/web/console/): the console builds the same
`Context` a chat turn gets, so it calls the very functions the chat's buttons call, checked by
the same jurisdiction policy (handlers/officials/jurisdiction.py) and audited the same way, with
the channel "console". Nothing here knows about HTTP."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.clock import to_db
from handlers.context import Context, Services
from handlers.engine import queue_notices
from handlers.events import CommandEvent, Sender
from handlers.i18n import Translator
from storage.models import ChannelAccount, Conversation, Person

CONSOLE = "console"
"""The channel name the console's actions carry in the audit log and the logs."""

LINK_LIFETIME = timedelta(minutes=10)
SESSION_IDLE = timedelta(hours=12)
SESSION_LONGEST = timedelta(days=7)


def desk_context(session: AsyncSession, services: Services, person: Person, *, language: str,
                 request_id: str) -> Context:
    """A context for one console request. Its account and conversation are never stored: a
    console request has no chat to remember, only the actions it takes."""
    now = to_db(services.clock.now())
    chat = f"console-{person.id}"
    sender = Sender(channel=CONSOLE, external_id=chat, chat_id=chat, language_code=language)
    account = ChannelAccount(id=0, person_id=person.id or 0, channel=CONSOLE, external_id=chat,
                             chat_id=chat, created_at=now, last_seen_at=now)
    conversation = Conversation(account_id=0, data={}, updated_at=now)
    event = CommandEvent(sender, name="console", update_id=request_id[:40])
    return Context(session, services, account, person, conversation, event,
                   Translator(language))


async def finish(ctx: Context) -> bool:
    """Queue what the request told other people (citizens' notices, colleagues'), as a chat
    turn does; True when there was something, so the outbox sender is woken."""
    await queue_notices(ctx, now=to_db(ctx.now))
    return bool(ctx.notices)
