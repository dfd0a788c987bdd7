"""Conversation state rows, one per channel account."""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Conversation, table_of

_TABLE = table_of(Conversation)
_SAVE = (update(_TABLE)
         .where(_TABLE.c.id == bindparam("conversation_id"))
         .values(flow=bindparam("new_flow"), step=bindparam("new_step"),
                 data=bindparam("new_data", type_=_TABLE.c.data.type),
                 started_at=bindparam("new_started_at"),
                 updated_at=bindparam("new_updated_at")))


async def save(session: AsyncSession, conversation: Conversation) -> None:
    """Store the turn's conversation (kept out of the session, `people.load_identity`): one
    UPDATE built once, as this runs at every turn and the unit of work's flush of one changed
    row cost more than the statement. A new conversation is inserted by the session's flush."""
    if conversation.id is None:
        session.add(conversation)
        return
    connection = await session.connection()
    await connection.execute(_SAVE, {
        "conversation_id": conversation.id, "new_flow": conversation.flow,
        "new_step": conversation.step, "new_data": conversation.data,
        "new_started_at": conversation.started_at, "new_updated_at": conversation.updated_at})
