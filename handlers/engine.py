"""The entry point for every channel: one event in, the replies to show out.

Each event is handled in one database transaction: the processed-update mark, the person's
conversation state and whatever the flow stored commit together, or not at all.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from pydantic import ValidationError

from handlers import text_join
from handlers.clock import Timer, to_db
from handlers.context import Context, Services
from handlers.events import Event, Sender
from handlers.flood import AccountFlood, Verdict
from handlers.i18n import LANGUAGES, Translator
from handlers.replies import (
    ACTION_TOKEN,
    MenuReply,
    Reply,
    RightsGained,
    TextReply,
    from_payload,
    in_language,
    to_payload,
)
from handlers.state import ConversationState
from storage.db import Database, is_conflict, is_unavailable
from storage.models import Channel as ChannelName
from storage.models import ChannelAccount, Person
from storage.repositories import (
    conversations,
    delivery,
    offered_actions,
    outbox,
    people,
    updates,
)
from storage.repositories.officials import OFFICIAL_ROLES

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
"""PostgreSQL's SERIALIZABLE also refuses some turns of unrelated chats (its conflict checks
work on index pages, not rows): when many people write for the first time at once, into a
small table, a few turns need several runs."""
MAX_BACKOFF_SECONDS = 0.1
MAX_WAITS = 100
"""Turns run again after waiting for another worker's turn in the same chat (not a conflict:
each wait means that turn is over)."""


async def queue_notices(ctx: Context, *, now: datetime) -> None:
    """Put what a turn told other people (`ctx.notify`) in the outbox, each in its reader's
    language, within the turn's transaction. The officials' web console (handlers/officials/
    desk.py) ends its requests with this too, so a notice leaves the same way from both."""
    for notice in ctx.notices:
        recipient = await people.get_person(ctx.session, notice.person_id)
        language = recipient.language if recipient else ctx.services.default_language
        await outbox.enqueue(
            ctx.session, key=notice.key, person_id=notice.person_id,
            payload=to_payload(in_language(notice.replies, language)), now=now)
    if ctx.notices:
        await outbox.announce(ctx.session)


class ChatWasBusy(Exception):
    """Another worker was handling this chat: it has finished; run the turn again."""


AnswerLater = Callable[[str, Callable[[], Awaitable[list[Reply]]]], Awaitable[None]]
"""A channel's way to answer a chat after its update was handled (a held text, answered when
its join window passed): run the job in the chat's order and send what it returns."""


class Engine:
    def __init__(self, db: Database, services: Services) -> None:
        self.db = db
        self.services = services
        self.on_notices: Callable[[], None] | None = None
        """Called after a transaction queued notices, to wake the outbox sender."""
        self.flood = AccountFlood(services.messages_per_minute)
        self.answer_later: dict[str, AnswerLater] = {}
        """Per channel name: set by each channel that can send an answer on its own; only
        there may a text answer wait for its further parts (handlers/text_join.py)."""
        self._held: dict[tuple[str, str], Timer] = {}

    async def handle(self, event: Event, *, keep_answer: bool = False) -> list[Reply]:
        """The replies to `event`, handled once. `keep_answer`: for a client that retries a
        request whose answer it lost (the web chat), a copy of the event gets the replies the
        first one got, kept with the processed mark, instead of nothing."""
        if isinstance(event, text_join.HeldTextDue):  # our own timer, not the person
            return await self._handle(event, keep_answer)
        verdict = self.flood.check(f"{event.sender.channel}:{event.sender.external_id}",
                                   self.services.clock.now())
        if verdict is not Verdict.SERVE:
            log.info("message set aside: too many from one account", extra={
                "channel": event.sender.channel, "update_id": event.update_id,
                "verdict": verdict.value})
            if verdict is Verdict.DROP:
                return []
            language = event.sender.language_code if event.sender.language_code in LANGUAGES \
                else self.services.default_language
            return [TextReply(Translator(language)("flood.slow_down"))]
        return await self._handle(event, keep_answer)

    async def _handle(self, event: Event, keep_answer: bool) -> list[Reply]:
        attempt = waits = 0
        while True:
            attempt += 1
            try:
                return await self._turn(event, keep_answer)
            except ChatWasBusy:
                waits += 1
                attempt -= 1
                if waits <= MAX_WAITS:
                    continue
                log.error("update gave up waiting for its chat", extra={
                    "channel": event.sender.channel, "update_id": event.update_id})
                return [TextReply(Translator(self.services.default_language)(
                    "error.internal"))]
            except Exception as error:
                if is_unavailable(error):
                    return self._busy(event, error)
                if not is_conflict(error):
                    raise
                extra = {"channel": event.sender.channel, "update_id": event.update_id,
                         "attempt": attempt}
                if attempt == MAX_ATTEMPTS:
                    log.exception("update failed: it kept conflicting with others", extra=extra)
                    return [TextReply(Translator(self.services.default_language)(
                        "error.internal"))]
                log.info("update conflicted with another and runs again", extra=extra)
                # a random, growing pause, so the turns that collided do not collide again
                await asyncio.sleep(random.uniform(0, min(0.005 * 2 ** attempt,
                                                          MAX_BACKOFF_SECONDS)))

    def _busy(self, event: Event, error: BaseException) -> list[Reply]:
        """The database refused (a full or read-only disk, unreachable): the turn was rolled
        back, so the person is asked to try again later; their earlier answers are kept."""
        log.error("update not handled: the database is unavailable", extra={
            "channel": event.sender.channel, "update_id": event.update_id,
            "error": type(getattr(error, "orig", None) or error).__name__})
        language = event.sender.language_code
        if language not in ("vi", "en"):
            language = self.services.default_language
        return [TextReply(Translator(language)("error.busy"))]

    async def offer_actions(self, channel: str, chat_id: str, replies: list[Reply]) -> bool:
        """Before a notice goes out on a channel without buttons: let a typed number pick its
        action buttons, when the person is not in the middle of a form (storage's
        offered_actions). Returns whether the actions may be shown as numbered lines."""
        offered = [r for r in replies if isinstance(r, TextReply) and r.token == ACTION_TOKEN
                   and r.options]
        if not offered:
            return True
        actions = {o.value: o.label for o in offered[-1].options}
        async with self.db.session() as session:
            ok = await offered_actions.offer(session, channel=channel, chat_id=chat_id,
                                             actions=actions)
            await session.commit()
        return ok

    async def account_left(self, channel: str, external_id: str) -> None:
        """The person left this channel (unfollowed the Zalo OA): nothing more is sent there;
        the outbox writes to their other channels. The adapter says so; the flows' storage
        records it."""
        async with self.db.session() as session:
            await delivery.account_left(session, channel=ChannelName(channel),
                                        external_id=external_id)
            await session.commit()

    def handled(self, event: Event) -> None:
        """Called once for each event the engine handled: not for a redelivered copy it dropped,
        nor for each attempt of a turn that is run again (a hook for metrics)."""

    def _menu_change(self, account: ChannelAccount, person: Person) -> list[Reply]:
        """Someone given an official role gets its commands in this chat's own menu; someone
        who lost it gets the default menu back (once: the account remembers)."""
        wanted = str(person.role) if person.role in OFFICIAL_ROLES else None
        if account.menu_role == wanted:
            return []
        account.menu_role = wanted
        return [MenuReply(self.services.features.menu_of(wanted) if wanted else None)]

    async def _turn(self, event: Event, keep_answer: bool) -> list[Reply]:
        """One attempt at the event, in one transaction that behaves as if it ran alone
        (PostgreSQL may refuse it at any statement when another changed what it read)."""
        sender = event.sender
        now = to_db(self.services.clock.now())
        async with self.db.session(serializable=True) as session:
            if not await people.lock_chat(session, channel=sender.channel,
                                          external_id=sender.external_id):
                raise ChatWasBusy
            if event.update_id is not None and not await updates.claim(
                    session, channel=sender.channel, update_id=event.update_id, now=now):
                log.info("duplicate update dropped",
                         extra={"channel": sender.channel, "update_id": event.update_id})
                if keep_answer and event.update_id is not None:
                    return from_payload(await updates.answer_of(
                        session, channel=sender.channel, update_id=event.update_id) or [])
                return []
            identity = await people.load_identity(
                session, channel=sender.channel, external_id=sender.external_id)
            if identity is None:
                identity = await people.create_identity(
                    session, channel=sender.channel, external_id=sender.external_id,
                    chat_id=sender.chat_id, display_name=sender.display_name,
                    username=sender.username, language=self.services.default_language, now=now)
            else:
                people.refresh_account(identity.account, chat_id=sender.chat_id,
                                       display_name=sender.display_name,
                                       username=sender.username, now=now)
            account, person, conversation = (identity.account, identity.person,
                                             identity.conversation)
            ctx = Context(session, self.services, account, person, conversation, event,
                          Translator(person.language,
                                     self.services.capabilities.get(sender.channel)))
            # Where the event arrived, for the log: after a failed flush the session refuses
            # to read even the conversation's attributes until it is rolled back.
            where = {"channel": sender.channel, "update_id": event.update_id,
                     "event": type(event).__name__, "flow": conversation.flow,
                     "step": conversation.step}
            ctx.can_hold = sender.channel in self.answer_later
            try:
                restarted = _load_state(ctx, where)
                replies = await text_join.route(ctx, event)
                if restarted:
                    replies = [TextReply(ctx.t("state.restarted")), *replies]
                replies = in_language([*replies, *self._menu_change(account, person)],
                                      ctx.t.language)
                if ctx.rights_gained:
                    replies.append(RightsGained())
                await queue_notices(ctx, now=now)
                conversation.data = ctx.state.dump()
                conversation.updated_at = now
                if conversation.started_at is None and conversation.flow:
                    conversation.started_at = now
                await conversations.save(session, conversation)
                await session.flush()
            except Exception as error:
                if is_conflict(error) or is_unavailable(error):
                    raise
                log.exception("update failed", extra=where)
                await session.rollback()  # expires `person`: read nothing from it after this
                self.handled(event)
                return [TextReply(ctx.t("error.internal"))]
            if event.update_id is not None and keep_answer:
                kept = [r for r in replies if not (isinstance(r, TextReply) and r.secret)]
                await updates.keep_answer(session, channel=sender.channel,
                                          update_id=event.update_id, answer=to_payload(kept))
            await session.commit()
        if not isinstance(event, text_join.HeldTextDue):
            self.handled(event)
        if ctx.held_until is not None:
            self._hold(sender, ctx.held_until)
        if ctx.notices and self.on_notices is not None:
            self.on_notices()
        return replies

    def _hold(self, sender: Sender, until: datetime) -> None:
        """Answer the chat's held text when its window has passed, unless a further part moves
        the window (the timer then finds it not due yet, and the later part's timer answers)."""
        key = (sender.channel, sender.external_id)
        if (earlier := self._held.pop(key, None)) is not None:
            earlier.cancel()

        async def release() -> None:
            self._held.pop(key, None)
            answer = self.answer_later.get(sender.channel)
            if answer is not None:
                await answer(sender.chat_id,
                             lambda: self.handle(text_join.HeldTextDue(sender)))

        self._held[key] = self.services.clock.call_at(until, release)


def _load_state(ctx: Context, where: Mapping[str, object]) -> bool:
    """Read the conversation's state into `ctx.state`. A state no model reads (a draft of a
    flow that changed since it was saved) starts the person afresh: True, so they are told
    their draft could not be kept, instead of a crash at every message."""
    try:
        ctx.state = ConversationState.load(ctx.conversation.data)
        return False
    except ValidationError as error:
        log.warning("conversation state not readable: started afresh",
                    extra={**where, "errors": error.error_count()})
    ctx.conversation.flow = ctx.conversation.step = ctx.conversation.started_at = None
    ctx.state = ConversationState()
    return True
