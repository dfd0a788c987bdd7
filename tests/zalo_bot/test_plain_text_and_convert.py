"""The two translations at the edge of Zalo: neutral replies → plain text (the one place where
buttons, location and contact requests degrade), and Zalo updates → neutral events."""

from __future__ import annotations

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from bot import map_links
from bot.plain_text import plain_text
from bot.zalo_bot.client import ZaloBotClient
from bot.zalo_bot.convert import to_event, unwrap, update_key
from handlers.events import CommandEvent, PhotoEvent, TextEvent, UnsupportedEvent
from handlers.geo import parse_coordinates
from handlers.replies import ACTION_TOKEN, Ask, Option, TextReply
from storage.media import MediaStore
from tests.fakes.zalo_bot_api import FakeZaloBot, make_jpeg

YES_NO = (Option("✅ Gửi", "c"), Option("✏️ Sửa", "e"))


def test_choices_become_numbered_lines_with_a_hint_in_the_readers_language():
    assert plain_text(TextReply("Kiểm tra lại:", YES_NO, token="q1", language="vi")) == (
        "Kiểm tra lại:\n\n1. ✅ Gửi\n2. ✏️ Sửa\n👉 Gõ số từ 1 đến 2 để chọn.")
    assert plain_text(TextReply("Check:", YES_NO, token="q1", language="en")).endswith(
        "👉 Type a number from 1 to 2 to choose.")
    open_card = TextReply("Mở?", (Option("📂 Mở", "fb_open:1"),), token=ACTION_TOKEN)
    assert plain_text(open_card).endswith("1. 📂 Mở\n👉 Gõ 1 để chọn.")
    assert plain_text(TextReply("Mở?", (Option("📂 Mở", "x"),), token=ACTION_TOKEN),
                      numbered=False) == "Mở?\n\n• 📂 Mở"


def test_shortcuts_beside_a_typed_answer_say_what_to_type():
    skip = TextReply("Số ngày công?", (Option("Bỏ qua", "__skip__"),), free_input=True)
    assert plain_text(skip) == "Số ngày công?\n\n👉 Hoặc gõ: Bỏ qua"
    photos = TextReply("Đã có 1/10 ảnh.", (Option("✅ Xong", "d"), Option("🗑 Xoá ảnh", "c")),
                       free_input=True)
    assert plain_text(photos).endswith("👉 Hoặc gõ: Xong · Xoá ảnh")


def test_location_and_phone_requests_become_typed_answers():
    location = TextReply("Gửi vị trí", (Option("Bỏ qua (không có GPS)", "__skip__"),),
                         ask=Ask.LOCATION, ask_label="📍 Gửi vị trí", free_input=True)
    text = plain_text(location)
    assert "Google Maps" in text and "OpenStreetMap" in text and "21.0285, 105.8542" in text
    assert text.endswith("👉 Hoặc gõ: Bỏ qua") and "📍 Gửi vị trí" not in text
    phone = plain_text(TextReply("Số điện thoại?", ask=Ask.CONTACT, language="en"))
    assert phone == "Số điện thoại?\n\n📞 Type your phone number, for example: 0912 345 678"
    assert plain_text(TextReply("Xin chào")) == "Xin chào"


def message(**content) -> dict:  # noqa: ANN003
    return {"message_id": "m1", "date": 1, "from": {"id": "u1", "display_name": "An"},
            "chat": {"id": "u1", "chat_type": "PRIVATE"}, **content}


def test_both_envelopes_are_read_and_the_message_id_is_the_key():
    update = {"event_name": "message.text.received", "message": message(text="hi")}
    assert unwrap({"ok": True, "result": update}) == update == unwrap(update)
    assert unwrap({"ok": True}) is None and unwrap([1]) is None
    assert update_key(update) == "m1"
    nameless = {"event_name": "message.unsupported.received"}
    assert update_key(nameless) == update_key(dict(nameless)) and update_key(nameless) != "m1"


@pytest.fixture
async def zalo(tmp_path):
    async with FakeZaloBot() as fake:
        client = ZaloBotClient(fake.token, fake.base_url)
        await client.start()
        yield fake, client, MediaStore(tmp_path / "media", max_image_bytes=50_000)
        await client.close()


async def test_updates_become_neutral_events(zalo):
    fake, client, media = zalo

    async def event(name: str, **content):  # noqa: ANN003, ANN202
        return await to_event({"event_name": name, "message": message(**content)}, client, media)

    command = await event("message.text.received", text="/LienKet abcd-efgh")
    assert isinstance(command, CommandEvent) and (command.name, command.args) == (
        "lienket", "abcd-efgh")
    assert command.sender.channel == "zalo_bot" and command.update_id == "m1"
    link = await event("message.link.received", text="https://maps.app.goo.gl/x")
    assert isinstance(link, TextEvent) and link.text == "https://maps.app.goo.gl/x"
    for name, what in (("message.sticker.received", "sticker"),
                       ("message.voice.received", "voice_download_failed"),  # no voice_url
                       ("message.unsupported.received", "other"),
                       ("message.something_new.received", "other")):
        found = await event(name)
        assert isinstance(found, UnsupportedEvent) and found.what == what, name
    assert await event("message.reaction.received", reaction="❤️") is None
    assert await to_event({"event_name": "message.unsupported.received"}, client, media) is None
    group = message(text="hi")
    group["chat"]["chat_type"] = "GROUP"
    assert await to_event({"event_name": "message.text.received", "message": group},
                          client, media) is None


async def test_photos_are_downloaded_at_once_with_the_usual_checks(zalo):
    fake, client, media = zalo

    async def image(data: bytes, key: str):  # noqa: ANN202
        url = fake.host_image(data)
        return await to_event({"event_name": "message.image.received",
                               "message": message(**{key: url})}, client, media)

    jpeg = make_jpeg()
    for key in ("photo_url", "photo"):
        photo = await image(jpeg, key)
        assert isinstance(photo, PhotoEvent) and photo.media.mime_type == "image/jpeg"
        assert media.absolute(photo.media.path).read_bytes() == jpeg
    not_image = await image(b"%PDF-1.4 not an image", "photo_url")
    assert isinstance(not_image, UnsupportedEvent) and not_image.what == "not_an_image"
    huge = await image(make_jpeg(size=(2000, 2000)) + b"\0" * 60_000, "photo_url")
    assert isinstance(huge, UnsupportedEvent) and huge.what == "too_large"
    gone = await to_event({"event_name": "message.image.received", "message": message(
        photo_url=fake.base_url.removesuffix("/bot") + "/cdn/missing.jpg")}, client, media)
    assert isinstance(gone, UnsupportedEvent) and gone.what == "download_failed"


async def test_a_lone_short_map_link_is_expanded_to_its_coordinates():
    requested: list[str] = []

    async def short(request: web.Request) -> web.Response:
        requested.append(request.path)
        hops = {"/a": "/b", "/b": "https://www.google.com/maps/place/Ch%E1%BB%A3/"
                                  "@21.0285,105.8542,17z/data=!3m1"}
        return web.Response(status=302, headers={"Location": hops[request.path]})

    app = web.Application()
    app.router.add_get("/{hop}", short)
    async with TestServer(app, host="127.0.0.1") as server, ClientSession() as session:
        hosts = frozenset({"127.0.0.1"})
        link = str(server.make_url("/a"))
        expanded = await map_links.expand(f" {link} ", session, hosts=hosts)
        assert parse_coordinates(expanded) == (21.0285, 105.8542)
        assert requested == ["/a", "/b"]  # never the long address itself
        for text in (f"xem {link}", "https://www.openstreetmap.org/#map=17/21.0/105.8", "Chợ"):
            assert await map_links.expand(text, session, hosts=hosts) == text
        assert await map_links.expand(link, session) == link  # 127.0.0.1 is no short host
        assert requested == ["/a", "/b"]
