"""Split messages are joined: a long paste that the person's app sent as several messages
(Telegram cuts at 4,096 characters, Zalo at 2,000) answers a free-text question as one text.

When a question wants free text (`Context.issue_token(..., long_text=True)`), a text answer
is held in the conversation (so nothing is lost if the process stops) instead of being
answered at once. A further text
within `text_join_window` of the latest part joins it; the joined text is answered as one
when the window has passed (`HeldTextDue`, from a timer on the injected clock) or when anything
else arrives from the chat (a button, a command, a photo). Only then is it checked, so a paste
that is still too long is refused whole, with its length, and nothing of it is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers import router
from handlers.clock import from_db
from handlers.context import Context
from handlers.events import Event, TextEvent
from handlers.replies import Reply
from handlers.state import HeldText

CUT_AT_LEAST = 2000
"""A part at least this long was most likely cut by the person's app at its limit (Zalo: 2,000
characters, Telegram: 4,096): the next part continues it as it was. Shorter parts are messages
of their own, so they join on a new line."""


@dataclass(frozen=True)
class HeldTextDue(Event):
    """The join window of a held text has passed (sent by the engine's timer, not a person)."""


def join_parts(first: str, second: str) -> str:
    if len(first) >= CUT_AT_LEAST or first[-1:].isspace() or second[:1].isspace():
        return first + second
    return f"{first}\n{second}"


async def route(ctx: Context, event: Event) -> list[Reply]:
    """The replies to `event`, holding and joining text answers (see the module's docstring);
    `ctx.held_until` tells the engine when to send `HeldTextDue`."""
    held = ctx.state.held
    if isinstance(event, HeldTextDue):
        if held is None or ctx.now < _due(ctx, held):  # answered already, or a part came since
            return []
        return await _release(ctx)
    if held is not None and _joins(ctx, event) and ctx.now <= _due(ctx, held):
        assert isinstance(event, TextEvent)
        ctx.state.held = HeldText(text=join_parts(held.text, event.text),
                                  at=ctx.now.isoformat())
        ctx.held_until = ctx.now + _window(ctx)
        return []
    replies = await _release(ctx) if held is not None else []
    if _joins(ctx, event):
        assert isinstance(event, TextEvent)
        ctx.state.held = HeldText(text=event.text, at=ctx.now.isoformat())
        ctx.held_until = ctx.now + _window(ctx)
        return replies
    return replies + await router.route(ctx, event)


def _joins(ctx: Context, event: Event) -> bool:
    return (isinstance(event, TextEvent) and ctx.can_hold and _window(ctx) > timedelta(0)
            and ctx.state.question.long_text and ctx.state.side is None)


def _window(ctx: Context) -> timedelta:
    return ctx.services.text_join_window


def _due(ctx: Context, held: HeldText) -> datetime:
    return from_db(datetime.fromisoformat(held.at)) + _window(ctx)


async def _release(ctx: Context) -> list[Reply]:
    """Answer the held text as the one message it was meant to be."""
    held, ctx.state.held = ctx.state.held, None
    assert held is not None
    event = ctx.event
    joined = TextEvent(event.sender, text=held.text, update_id=event.update_id)
    ctx.event = joined
    try:
        return await router.route(ctx, joined)
    finally:
        ctx.event = event
