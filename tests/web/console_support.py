"""Officials of the console for tests: made with a real invite in a real chat, signed in with a
link asked for with /dangnhap, each in a browser-like HTTP session of their own (its own cookie
jar), reading pages as HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass

import aiohttp
from aiohttp.test_utils import TestClient

from bot.web.console.auth import COOKIE
from handlers.clock import Clock
from storage.db import Database
from storage.models import Feedback
from tests.support.engine_chat import EngineChat
from tests.support.officials import make_invite

LINK = re.compile(r"/console/login/([A-Za-z0-9_-]{32,64})")
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{40})"')


async def become_official(chat: EngineChat, db: Database, clock: Clock, *, unit: str | None,
                          level: str = "commune") -> None:
    await chat.command("start", await make_invite(db, clock, unit=unit, level=level))
    assert "Chào mừng" in chat.last_text, chat.last_text


async def ask_link(chat: EngineChat) -> str:
    """The path of a fresh sign-in link, asked for with /dangnhap."""
    await chat.command("dangnhap")
    found = LINK.search(chat.last_text)
    assert found, chat.last_text
    return found.group(0)


@dataclass
class Browser:
    """One browser: its own cookies, following redirects as a browser does."""

    http: aiohttp.ClientSession

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(path) as response:
            body = await response.read()
            return response.status, body.decode("utf-8", "replace")

    async def post(self, path: str, data: dict | None = None, *,
                   csrf: bool = True) -> tuple[int, str]:
        form = dict(data or {})
        if csrf:
            form["csrf"] = await self.csrf()
        async with self.http.post(path, data=form) as response:
            return response.status, await response.text()

    async def csrf(self) -> str:
        _, html = await self.get("/console/")
        found = CSRF.search(html)
        assert found, html[:500]
        return found.group(1)

    def session_token(self) -> str | None:
        for cookie in self.http.cookie_jar:
            if cookie.key == COOKIE:
                return cookie.value
        return None

    async def sign_in(self, link: str) -> str:
        status, page = await self.get(link)
        assert status == 200 and 'id="sign-in"' in page, page[:500]
        status, page = await self.post(link, csrf=False)
        assert status == 200 and 'id="items"' in page, page[:800]
        return page

    async def close(self) -> None:
        await self.http.close()


def new_browser(client: TestClient) -> Browser:
    return Browser(aiohttp.ClientSession(base_url=str(client.make_url("/")),
                                         cookie_jar=aiohttp.CookieJar(unsafe=True)))


async def store_feedback(db: Database, clock: Clock, *, commune: str, text: str,
                         category: str = "infrastructure", anonymous: bool = True,
                         reporter_name: str = "Nguyễn Thị Hoa", phone: str | None = None,
                         days_ago: float = 0, status: str = "new",
                         reporter_id: int | None = None) -> Feedback:
    """A feedback stored through the repository, as the feedback flow stores one (the flow has
    its own tests); its sender is a person of their own with a name, anonymous or not."""
    from datetime import timedelta

    from storage.models import Person
    from storage.repositories import feedback as feedback_repo
    from storage.units import UnitDirectory

    unit = UnitDirectory.load().get(commune)
    assert unit is not None
    when = clock.now() - timedelta(days=days_ago)
    async with db.session() as session:
        if reporter_id is None:
            person = Person(display_name=reporter_name, created_at=when)
            session.add(person)
            await session.flush()
            reporter_id = person.id
        feedback = Feedback(
            category=category, text=text, reporter_id=reporter_id, anonymous=anonymous,
            reporter_name=None if anonymous else reporter_name,
            reporter_phone=None if anonymous else phone, commune_code=commune,
            province_code=unit.province_code, assigned_unit_code=commune,
            assigned_province_code=unit.province_code, latitude=21.0341, longitude=105.8521,
            created_at=when, updated_at=when, status=status)
        stored = await feedback_repo.create_feedback(session, feedback=feedback, photos=[],
                                                     year=when.year)
        await session.commit()
        return stored


async def signed_in(client: TestClient, make_chat, db: Database, clock: Clock, *,  # noqa: ANN001
                    user_id: int, name: str, unit: str | None,
                    level: str = "commune") -> Browser:
    """A browser signed in as a new official of `unit` (made by invite in a chat)."""
    chat = make_chat(user_id, name)
    await become_official(chat, db, clock, unit=unit, level=level)
    browser = new_browser(client)
    await browser.sign_in(await ask_link(chat))
    return browser


async def unaudited(database_url: str) -> list[str]:
    """The chat's audit check (tests/support/audit_check.py), and the console's own actions:
    each internal note, assignment and revoked invite has its row."""
    from collections import Counter

    from sqlmodel import select

    from storage.models import Assignment, AuditEntry, ConsoleNote, Invite
    from tests.support.audit_check import missing_audit_rows

    db = Database(database_url)
    try:
        problems = await missing_audit_rows(db)
        async with db.session() as session:
            entries = Counter(e.action for e in (await session.exec(select(AuditEntry))).all())
            notes = len((await session.exec(select(ConsoleNote))).all())
            assigned = len((await session.exec(select(Assignment))).all())
            revoked = {i.id for i in (await session.exec(select(Invite))).all()
                       if i.revoked_at is not None}
            revocations = {e.record_id for e in (await session.exec(select(AuditEntry).where(
                AuditEntry.action == "invite.revoke"))).all()}
    finally:
        await db.dispose()
    if entries["console.note"] != notes:
        problems.append(f"{notes} notes, {entries['console.note']} audited")
    if entries["console.assign"] < assigned:
        problems.append(f"{assigned} assignments, {entries['console.assign']} audited")
    problems += [f"invite {i} revoked, not audited" for i in sorted(revoked - revocations)]
    return problems
