"""Action buttons of a notification, on channels where they are numbered lines (Zalo Bot).

On Telegram a button carries its action. A typed "1" carries nothing, so the router reads it
against the actions last offered to that conversation (`Context.offer_actions`); a notice sent by
the outbox offers its actions here, for a person who is not in the middle of a form.
"""

from __future__ import annotations

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChannelAccount, Conversation


async def offer(session: AsyncSession, *, channel: str, chat_id: str,
                actions: dict[str, str]) -> bool:
    """Offer `actions` ({payload: label}) to the chat's idle conversation; False if the person
    is in a flow (a typed number answers the flow's question there) or unknown.

    The row is locked (PostgreSQL), so a turn being handled at the same moment is never
    overwritten: either it commits first and its state is kept, or it waits for this."""
    conversation = (await session.exec(
        select(Conversation)
        .join(ChannelAccount, col(ChannelAccount.id) == Conversation.account_id)
        .where(ChannelAccount.channel == channel, ChannelAccount.chat_id == chat_id)
        .with_for_update(of=Conversation)
    )).first()
    if conversation is None or conversation.flow is not None:
        return False
    conversation.data = {**conversation.data, "actions": actions}
    flag_modified(conversation, "data")
    session.add(conversation)
    return True
