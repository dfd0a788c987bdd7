"""Notices for web chat users: what the outbox delivers to a web chat waits for the chat's page,
which fetches it from /chat/notices (on load and while open), shows it once, and only to the
session it belongs to. Buttons in a notice work like buttons in a reply."""

from __future__ import annotations

import logging
import re
import secrets

import aiohttp
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.app import App
from bot.webchat.convert import SESSION_COOKIE, ChatSession
from bot.webchat.notices import WebNoticeSender
from handlers.replies import MENU_TOKEN, Option, TextReply
from scheduler.outbox import OutboxWorker
from storage.models import ChannelAccount, Feedback, OutboxStatus, WebNotice
from storage.repositories.web_notices import WebNoticeStore
from tests.scheduler.factories import queue, row
from tests.support.chat_driver import walk
from tests.support.factories import make_invite
from tests.support.officials import DUPLICATE_OFFER, HOAN_KIEM, Step, feedback_walk
from tests.web.chat_client import PAGE_HEADER, WebChat, WebChatClient

ANSWER = "Phường đã báo điện lực, sẽ thay bóng trong tuần này."
RESOLUTION = "Đã thay bóng đèn mới ngày 2/12."


async def web_send_feedback(chat: WebChatClient, steps: list[Step]) -> str:
    """A whole feedback from the web chat; returns its receipt code."""
    await chat.text("/phananh")
    for step in steps:
        await walk(WebChat(chat), [step])
        assert chat.status == 200, chat.transcript[-1]
    await chat.press("✅ Gửi")
    if DUPLICATE_OFFER in chat.last.text:  # similar open feedback: send anyway
        await chat.press("Không, gửi phản ánh mới")
    found = re.search(r"PA-\d{4}-\d{6}", chat.last.text)
    assert found, chat.last.text
    return found.group(0)


def browser(url: str) -> aiohttp.ClientSession:
    jar = aiohttp.CookieJar(unsafe=True)  # keep cookies from 127.0.0.1, as browsers do
    return aiohttp.ClientSession(base_url=url, cookie_jar=jar)


def session_token(session: aiohttp.ClientSession) -> str:
    return next(c.value for c in session.cookie_jar if c.key == SESSION_COOKIE)


async def test_an_officials_answer_reaches_a_citizen_who_wrote_from_the_web_chat(
        settings, clock, db, caplog):
    """The product without any Telegram or Zalo token: the outbox runs with the web sender."""
    caplog.set_level(logging.DEBUG)
    app = App(settings, clock=clock)
    await app.start()
    try:
        assert [c.channel for c in app.channels] == ["web"]
        assert set(app.scheduler.senders) == {"web"}
        async with browser(app.web.url) as hoa_browser, browser(app.web.url) as minh_browser:
            hoa, minh = WebChatClient(hoa_browser), WebChatClient(minh_browser)
            await minh.text("/start " + await make_invite(db, clock, unit=HOAN_KIEM))
            assert "Chào mừng" in minh.last.text
            await hoa.start()
            code = await web_send_feedback(hoa, feedback_walk(photos=1))

            await app.outbox.drain()
            [new] = await minh.notices()  # the official hears of it in their own web chat
            assert new.pushed and f"Phản ánh mới {code}" in new.text

            await minh.text("/hopthu")
            await minh.press(code)
            await minh.press("💬 Trả lời")
            await minh.text(ANSWER)
            await minh.press("✅ Gửi")
            assert "Đã gửi câu trả lời" in minh.last.text
            await app.outbox.drain()

            [answer] = await hoa.notices()
            assert answer.pushed and ANSWER in answer.text
            assert "Cán bộ dân vận Phường Hoàn Kiếm" in answer.text
            assert "Minh" not in answer.text  # relayed in the unit's name
            assert await hoa.notices() == []  # shown once
            assert await minh.notices() == []  # the answer is Hoa's alone

            # Resolved with a proof photo; rated from the notice's own buttons.
            await minh.press("🔄 Đổi trạng thái")
            await minh.press("✅ Đã giải quyết (kèm trả lời)")
            await minh.text(RESOLUTION)
            await minh.press("📷 Có, gửi ảnh")
            await minh.photos(1)
            await minh.press("✅ Xong")
            await minh.press("✅ Gửi")
            await app.outbox.drain()
            resolution = await hoa.notices()
            assert [b.kind for b in resolution] == ["photo", "bot"]
            assert RESOLUTION in resolution[-1].text
            rated = await hoa.press("⭐⭐⭐⭐")
            assert any("4/5" in b.text for b in rated), rated
            assert "nhận xét thêm" in hoa.last.text and not hoa.last.pushed
            token = session_token(hoa_browser)
        async with db.session() as session:
            feedback = (await session.exec(select(Feedback))).one()
        assert feedback.satisfaction == 4 and feedback.anonymous
    finally:
        await app.stop()
    logged = "\n".join(str(record.__dict__) for record in caplog.records)
    for private in ("Đèn đường ngõ 12", ANSWER, RESOLUTION, token):
        assert private not in logged


async def test_a_notice_is_for_its_own_session_only(web_app, client, db, clock):
    hoa = WebChatClient(client)
    await hoa.start()
    chat_id = ChatSession(session_token(client.session), is_new=False).chat_id
    await WebNoticeSender(WebNoticeStore(db), clock).deliver(
        chat_id, [TextReply("Tin riêng của Hoa.")])

    async with TestClient(TestServer(web_app, host="127.0.0.1")) as other:
        stranger = WebChatClient(other)
        assert await stranger.notices() == []  # no session yet: none is made for a poll
        assert stranger.status == 200 and SESSION_COOKIE not in other.session.cookie_jar
        await stranger.start()
        assert await stranger.notices() == []
        other.session.cookie_jar.update_cookies({SESSION_COOKIE: secrets.token_urlsafe(32)})
        assert await stranger.notices() == []  # a made-up session has no chat
        refused = await other.get("/chat/notices")  # not from our page
        assert refused.status == 403
        bad = await other.get("/chat/notices?shown=-1", headers=PAGE_HEADER)
        assert bad.status == 400

    [notice] = await hoa.notices()
    assert notice.text == "Tin riêng của Hoa."
    hoa.notices_shown = 0  # as if that answer was lost on a weak connection
    [again] = await hoa.notices()
    assert again.text == "Tin riêng của Hoa."
    assert await hoa.notices() == []

    # A page that claims more than any id a table can hold (PostgreSQL's INTEGER) has seen all.
    await WebNoticeSender(WebNoticeStore(db), clock).deliver(chat_id, [TextReply("Tin thứ hai.")])
    hoa.notices_shown = 999_999_999_999
    assert await hoa.notices() == []
    hoa.notices_shown = 0
    assert await hoa.notices() == []


async def test_a_stored_notice_comes_with_buttons_that_work(client, db, clock):
    lan = WebChatClient(client)
    await lan.start()
    async with db.session() as session:
        account = (await session.exec(select(ChannelAccount))).one()
    notice = TextReply("🔔 Có tin mới về phản ánh của bạn.",
                       (Option("🔎 Tra cứu phản ánh", "status"),), token=MENU_TOKEN)

    await WebNoticeSender(WebNoticeStore(db), clock).deliver(account.chat_id, [notice])
    [shown] = await lan.notices()

    assert shown.pushed and shown.text == "🔔 Có tin mới về phản ánh của bạn."
    assert [b.label for b in shown.buttons] == ["🔎 Tra cứu phản ánh"]
    await lan.press("🔎 Tra cứu phản ánh")
    assert "chưa gửi phản ánh nào" in lan.last.text, lan.last.text
    async with db.session() as session:
        stored = (await session.exec(select(WebNotice))).one()
    assert stored.chat_id == account.chat_id
    assert stored.payload[0]["options"] == [["🔎 Tra cứu phản ánh", "status"]]
    assert stored.seen_at is None  # acknowledged by the page's next request
    assert await lan.notices() == []
    async with db.session() as session:
        assert (await session.get(WebNotice, stored.id)).seen_at == clock.now()


async def test_a_notice_for_an_expired_browser_session_is_not_kept(client, db, clock):
    """The cookie lives 30 days from the latest action: after that the page can never ask
    for the notice, so the outbox treats the account as gone (and would try another)."""
    lan = WebChatClient(client)
    await lan.start()
    async with db.session() as session:
        account = (await session.exec(select(ChannelAccount))).one()
    clock.advance(days=31)
    await queue(db, account.person_id, "notice:late", "Muộn quá", now=clock.now())

    await OutboxWorker(db, {"web": WebNoticeSender(WebNoticeStore(db), clock)}, clock).drain()

    message = await row(db, "notice:late")
    assert message.status == OutboxStatus.FAILED
    async with db.session() as session:
        assert (await session.get(ChannelAccount, account.id)).active is False
        assert (await session.exec(select(WebNotice))).all() == []


async def test_a_session_in_use_lives_on_thirty_days_from_its_latest_action(client, db, clock):
    lan = WebChatClient(client)
    await lan.start()
    async with db.session() as session:
        account = (await session.exec(select(ChannelAccount))).one()
    clock.advance(days=25)
    await lan.text("/help")  # back after 25 days: the cookie is set again for 30 more
    assert lan.cookie_max_age == str(30 * 24 * 3600)
    clock.advance(days=25)  # 50 days after the first action, 25 after the latest
    await queue(db, account.person_id, "notice:kept", "Vẫn nhận được", now=clock.now())

    await OutboxWorker(db, {"web": WebNoticeSender(WebNoticeStore(db), clock)}, clock).drain()

    assert [b.text for b in await lan.notices()] == ["Vẫn nhận được"]
