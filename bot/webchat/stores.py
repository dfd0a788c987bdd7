"""What the web chat keeps of its own, as ports it defines: the sessions the server issued and
the notices kept for a chat's page. A browser cannot be written to, so these two tables are the
web chat's "platform"; no flow reads them. Storage implements both (`WebSessionStore`,
`WebNoticeStore` in storage/repositories/), and bot/app.py hands them in: the channel imports
no repository and not the database. Each call is its own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from storage.models import WebNotice


class SessionStore(Protocol):
    async def is_issued(self, *, chat_id: str, used_since: datetime) -> bool:
        """True when the server issued the session `chat_id` and it was used since then."""
        ...

    async def rekey(self, *, old_chat_id: str, new_chat_id: str) -> bool:
        """Move the session (account and waiting notices) to a new id; False if none."""
        ...


class NoticeStore(Protocol):
    async def session_last_used_at(self, *, chat_id: str) -> datetime | None: ...

    async def add_notice(self, *, chat_id: str, payload: list[dict[str, Any]],
                         now: datetime) -> None: ...

    async def unseen(self, *, chat_id: str, limit: int) -> Sequence[WebNotice]: ...

    async def mark_seen(self, *, chat_id: str, up_to: int, now: datetime) -> None: ...
