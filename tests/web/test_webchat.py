"""The web chat adapter over HTTP: the same flows as Telegram, with a cookie session, photo
uploads, ordering, duplicate suppression, language and rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from scheduler.housekeeping import Housekeeping
from storage.models import Channel, Conversation, Feedback
from storage.repositories import practices
from tests.support.chat_driver import walk
from tests.support.faults import database_refusing_writes, partial_files, read_only
from tests.support.images import jpeg_bytes
from tests.support.officials import feedback_walk
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.support.web_app import create_web_app
from tests.web.chat_client import PAGE_HEADER, WebChat, WebChatClient


async def walk_practice(chat: WebChatClient) -> None:
    for step in COMPLETE_PRACTICE:
        await walk(WebChat(chat), [step])
        assert chat.status == 200, chat.transcript[-1]
        assert not chat.last.text.startswith("⚠️"), (step, chat.last.text)


async def test_a_practice_submitted_over_the_web_chat_gets_its_receipt(client, db):
    chat = WebChatClient(client)
    [menu] = await chat.start()
    assert "Bạn muốn làm gì?" in menu.text
    assert "📝 Gửi mô hình" in [b.label for b in menu.buttons]
    await chat.press("📝 Gửi mô hình")
    assert "Ai gửi mô hình này?" in chat.last.text
    await walk_practice(chat)
    assert "Kiểm tra lại mô hình" in chat.last.text
    await chat.press("✅ Gửi")

    assert "Mã tiếp nhận: MH-2026-" in chat.last.text
    code = chat.last.text.split("Mã tiếp nhận: ")[1].split()[0]
    async with db.session() as session:
        stored = await practices.get_by_code(session, code)
        photos = await practices.photos_of(session, stored.id)
    assert stored.title == "Tiếng kẻng an ninh thôn"
    assert (stored.latitude, stored.longitude) == (21.0008, 105.8123)
    assert [p.channel for p in photos] == [Channel.WEB] * 3


async def test_each_browser_session_is_its_own_chat(web_app, client):
    first = await client.post("/chat/events", json={"id": "first-visit", "type": "command",
                                                    "name": "start"}, headers=PAGE_HEADER)
    set_cookie = first.headers["Set-Cookie"]
    assert "dvk_chat=" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    lan = WebChatClient(client)
    await lan.text("/mohinh")
    assert "Ai gửi mô hình này?" in lan.last.text
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as other_browser:
        minh = WebChatClient(other_browser)
        [menu] = await minh.start()
        assert "Bạn muốn làm gì?" in menu.text  # Minh is not inside Lan's flow
    await lan.press("Tập thể")  # Lan's flow is still where she left it
    assert "Tập thể thuộc loại nào?" in lan.last.text


async def test_the_same_action_sent_twice_is_handled_once(client):
    chat = WebChatClient(client)
    await chat.start()
    first = await chat.action({"type": "command", "name": "submit"}, action_id="retry-1234")
    again = await chat.action({"type": "command", "name": "submit"}, action_id="retry-1234")
    assert "Ai gửi mô hình này?" in first[0].text
    assert again == first  # the first answer again, not a second question


async def test_a_retried_send_shows_the_receipt_again_and_stores_nothing_twice(client, db,
                                                                              clock):
    """The citizen's connection dropped as they pressed Send: the page sends the same action
    again and must show the receipt code the first one got."""
    chat = WebChatClient(client)
    await chat.text("/phananh")
    await walk(WebChat(chat), feedback_walk(photos=1))
    send = chat.last.button("✅ Gửi")
    press = {"type": "choice", "token": send.token, "value": send.value}
    first = await chat.action(press, action_id="send-once-1234")
    again = await chat.action(press, action_id="send-once-1234")
    assert re.search(r"PA-2026-\d{6}", first[-1].text), first[-1].text
    assert again == first
    async with db.session() as session:
        assert len((await session.exec(select(Feedback))).all()) == 1

    clock.advance(hours=25)  # housekeeping forgets kept answers after a day
    await Housekeeping(db, clock, processed_updates_keep=timedelta(days=7),
                       web_session_lifetime=timedelta(days=30)).run()
    assert await chat.action(press, action_id="send-once-1234") == []
    async with db.session() as session:
        assert len((await session.exec(select(Feedback))).all()) == 1


async def test_a_request_not_from_our_page_is_refused(client):
    response = await client.post("/chat/events", json={"id": "abcdefgh", "type": "text",
                                                       "text": "hi"})
    assert response.status == 403
    assert "dvk_chat" not in response.cookies


@pytest.mark.parametrize("payload", [
    {"type": "text", "text": "no id"},
    {"id": "short", "type": "text", "text": "x"},
    {"id": "abcdefgh", "type": "text", "text": ""},
    {"id": "abcdefgh", "type": "text", "text": "x" * 5000},
    {"id": "abcdefgh", "type": "choice", "token": 1, "value": "x"},
    {"id": "abcdefgh", "type": "location", "lat": 95, "lon": 10},
    {"id": "abcdefgh", "type": "location", "lat": True, "lon": 10},
    {"id": "abcdefgh", "type": "command", "name": "drop_tables"},
    {"id": "abcdefgh", "type": "sticker"},
    ["not", "an", "object"],
])
async def test_malformed_actions_are_a_400(client, payload):
    response = await client.post("/chat/events", json=payload, headers=PAGE_HEADER)
    assert response.status == 400
    assert "error" in await response.json()


@pytest.mark.parametrize("route", ["/chat/events", "/chat/language"])
@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"id": ' + b"[" * 5000, b"\xff\xfe"])
async def test_bodies_that_are_not_json_are_a_400(client, route, body):
    """However it fails to parse (too deep for the parser, cut short, not UTF-8): a 400."""
    response = await client.post(route, data=body, headers={
        **PAGE_HEADER, "Content-Type": "application/json"})
    assert response.status == 400
    assert await response.json() == {"error": "body must be JSON"}


async def test_uploads_that_are_not_photos_or_too_big_are_explained(settings, db, services,
                                                                    engine, metrics):
    small = settings.updated(max_photo_bytes=3000)
    services.media.max_image_bytes = 3000
    app = create_web_app(settings=small, db=db, services=services, engine=engine,
                         metrics=metrics)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        chat = WebChatClient(client)
        await chat.start()
        await chat.press("📝 Gửi mô hình")
        await chat.text("/mohinh")
        replies = await chat.photos(files=[("notes.txt", b"just text", "text/plain")])
        assert "Tệp này không phải ảnh hợp lệ" in replies[0].text
        big = jpeg_bytes((900, 700))
        assert len(big) > 3000
        replies = await chat.photos(files=[("big.jpg", big, "image/jpeg")])
        assert "Ảnh quá lớn" in replies[0].text
        empty = await client.post("/chat/photos", data=b"", headers=PAGE_HEADER)
        assert empty.status == 400


async def test_a_photo_sent_while_the_media_disk_is_read_only_is_answered_busy(
        client, db, services):
    """The disk refuses the photo: the person is told the system is busy and asked again,
    nothing half-written is left, and once the disk is back the same photo is taken."""
    chat = WebChatClient(client)
    await chat.start()
    await chat.press("📝 Gửi mô hình")
    steps = iter(COMPLETE_PRACTICE)
    for step in steps:
        if step.kind == "photos":
            break
        await walk(WebChat(chat), [step])
    question = chat.last.text
    with read_only(services.media.root):
        [answer] = await chat.photos(1)
        assert chat.status == 200
    assert answer.text.startswith("⚠️ Hệ thống đang bận, thử lại sau")
    # The same question again (the question is the last paragraph; notes on the previous
    # answer come before it).
    assert question.split("\n\n")[-1].splitlines()[0] in answer.text
    assert partial_files(services.media.root) == []
    assert [p for p in services.media.root.rglob("*") if p.is_file()] == []
    async with db.session() as session:
        [conversation] = (await session.exec(select(Conversation))).all()
        assert not conversation.data["draft"]["answers"].get("photos")

    [accepted] = await chat.photos(1)
    assert accepted.text.startswith("📷 Đã nhận ảnh."), accepted.text
    kept = [p for p in services.media.root.rglob("*.jpg") if "derived" not in p.parts]
    assert len(kept) == 1  # the original (its clean copies live under derived/)


async def test_a_database_that_refuses_writes_is_answered_busy_and_loses_nothing(
        client, db):
    """The database refuses every write for a while (SQLite: `PRAGMA query_only`, the answer
    a read-only database file gives; PostgreSQL: a read-only server, `tests/support/faults.py`):
    the person is told the system is busy, nothing of the turn is stored, /healthz says why;
    the same press once the database is back is taken."""
    chat = WebChatClient(client)
    await chat.start()
    await chat.press("📝 Gửi mô hình")
    button = chat.last.buttons[0]
    press = {"type": "choice", "token": button.token, "value": button.value}
    async with db.session() as session:
        before = (await session.exec(select(Conversation))).one().data
    with database_refusing_writes(db) as reason:
        [answer] = await chat.action(press)
        assert chat.status == 200
        assert answer.text == "Hệ thống đang bận, thử lại sau. Các câu trả lời trước đó vẫn " \
                              "được giữ."
        health = await client.get("/healthz")
        assert health.status == 503 and (await health.json())["database"] == reason
    async with db.session() as session:
        assert (await session.exec(select(Conversation))).one().data == before
    assert (await client.get("/healthz")).status == 200

    replies = await chat.action(press)
    assert "⚠️" not in replies[-1].text and replies[-1].text != answer.text
    async with db.session() as session:
        assert (await session.exec(select(Conversation))).one().data != before


async def test_switching_language_switches_the_bot_too(client):
    chat = WebChatClient(client)
    await chat.start()
    await chat.press("📝 Gửi mô hình")
    replies = await chat.language("en")
    [reply] = replies
    assert "Language set to English." in reply.text
    assert "Who is submitting this practice?" in reply.text  # the question, asked again
    assert [b.label for b in reply.buttons][:2] == ["A collective", "An individual"]


async def test_a_new_visitor_on_the_english_page_is_answered_in_english(client):
    chat = WebChatClient(client, lang="en")
    [menu] = await chat.start()
    assert "What would you like to do?" in menu.text
    assert "📝 Submit a practice" in [b.label for b in menu.buttons]


async def test_each_session_is_rate_limited(settings, db, services, engine, metrics):
    strict = settings.updated(web_chat_rate_per_minute=3)
    app = create_web_app(settings=strict, db=db, services=services, engine=engine,
                         metrics=metrics)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        chat = WebChatClient(client)
        for _ in range(3):
            await chat.text("xin chào")
            assert chat.status == 200
        [notice] = await chat.text("xin chào")
        assert chat.status == 429
        assert notice.kind == "notice" and "đợi một phút" in notice.text


async def test_a_commune_typed_by_its_name_before_2025_is_offered_as_what_it_became(client, db):
    chat = WebChatClient(client)
    await chat.start()
    await chat.press("📝 Gửi mô hình")
    before_commune = [step for step in COMPLETE_PRACTICE][:COMPLETE_PRACTICE.index(
        next(step for step in COMPLETE_PRACTICE if step.field == "commune"))]
    await walk(WebChat(chat), before_commune)

    await chat.text("quan thanh xuan")  # a district abolished in 2025: the wards it became
    labels = [button.label for button in chat.last.buttons]
    assert "Phường Thanh Xuân, Thành phố Hà Nội (trước đây: Quận Thanh Xuân)" in labels
    assert all("(trước đây: Quận Thanh Xuân)" in label for label in labels if label != "Bỏ qua")

    await chat.text("phuong phuc xa")  # Ba Đình's Phúc Xá ward, now part of Hồng Hà
    assert chat.last.text.startswith("📍 Đã chọn: Phường Hồng Hà, Thành phố Hà Nội (trước đây: "
                                     "Phường Phúc Xá, Quận Ba Đình)")
    await walk(WebChat(chat), COMPLETE_PRACTICE[len(before_commune) + 2:])
    await chat.press("✅ Gửi")
    code = chat.last.text.split("Mã tiếp nhận: ")[1].split()[0]
    async with db.session() as session:
        stored = await practices.get_by_code(session, code)
    assert (stored.commune_code, stored.province_code) == ("00097", "01")
