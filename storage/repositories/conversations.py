"""Conversation state rows, one per channel account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.attributes import flag_modified

from storage.models import Conversation


def touch(conversation: Conversation, *, now: datetime) -> None:
    """Mark the JSON state dirty (it is mutated in place) and record the time of this turn."""
    conversation.updated_at = now
    flag_modified(conversation, "data")
