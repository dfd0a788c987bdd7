"""Tests for the fake Telegram Bot API, driven by the REAL python-telegram-bot.

Why: every other end-to-end test trusts this fake, so here we check that what
PTB sends is parsed correctly and that Telegram's limits and failure modes come
back to PTB as the same exceptions the real API would produce.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
import warnings
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes import FakeTelegram, make_jpeg
from tests.fakes.telegram_api import telegram_html_to_text

TOKEN = "123456:TEST"

# PTB itself reads RetryAfter.retry_after as int while building the exception.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


def seconds(value: int | float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def retry_seconds(exc: RetryAfter) -> float:
    """PTB 22 warns when reading retry_after as int (timedelta migration)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seconds(exc.retry_after)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with fake.bot() as real_bot:
        yield real_bot


# ------------------------------------------------------------------------------------------
# basics
# ------------------------------------------------------------------------------------------
async def test_get_me_wrong_token_and_unknown_method(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "dvk_test_bot")

    with pytest.raises(InvalidToken):  # PTB maps 401 to InvalidToken
        async with Bot("999:WRONG", base_url=fake.base_url, base_file_url=fake.file_base_url):
            pass
    with pytest.raises(EndPointNotFound):  # PTB turns a 404 after getMe into this
        await bot.do_api_request("noSuchMethod")
    assert [c.status for c in fake.errors] == [401, 404]


async def test_raw_http_json_body_get_and_error_shapes(fake: FakeTelegram) -> None:
    """Non-PTB clients: JSON bodies and GET query strings parse the same way."""
    fake.user(1001)
    async with aiohttp.ClientSession() as http:
        url = f"{fake.base_url}{TOKEN}"
        async with http.post(
            f"{url}/sendMessage",
            json={
                "chat_id": 1001,
                "text": "123",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
            },
        ) as resp:
            body = await resp.json()
            assert resp.status == 200 and body["ok"] is True
            assert body["result"]["text"] == "123" and body["result"]["reply_markup"]
        async with http.get(
            f"{url}/sendMessage", params={"chat_id": "1001", "text": "42"}
        ) as resp:
            assert (await resp.json())["result"]["text"] == "42"  # "42" stays a string
        async with http.post(f"{fake.base_url}0:BAD/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{url}/fooBar") as resp:
            assert (resp.status, (await resp.json())["description"]) == (404, "Not Found")
    assert [m.text for m in fake.messages(1001)] == ["123", "42"]
    assert fake.messages(1001)[0].buttons == ["A"]


# ------------------------------------------------------------------------------------------
# sending, limits, HTML
# ------------------------------------------------------------------------------------------
async def test_send_message_records_keyboard_and_press_round_trip(
    fake: FakeTelegram,
    bot: Bot,
) -> None:
    alice = fake.user(1001, first_name="Lan", username="lan_thon3")
    sent = await bot.send_message(
        1001, "Chọn:", reply_markup=keyboard(("Tiếp tục", "next"), ("Huỷ", "cancel"))
    )
    assert sent.message_id == 1 and sent.chat.first_name == "Lan"
    assert (
        sent.reply_markup is not None
        and sent.reply_markup.inline_keyboard[0][0].text == "Tiếp tục"
    )

    msg = alice.last
    assert (msg.method, msg.text, msg.buttons) == ("sendMessage", "Chọn:", ["Tiếp tục", "Huỷ"])
    assert (
        fake.calls[-1].params["reply_markup"]["inline_keyboard"][1][0]["callback_data"] == "cancel"
    )

    by_text, by_data = alice.press("Tiếp tục"), alice.press("cancel")
    forged = alice.press_data("admin:delete_all")
    stale = alice.press_data("next", message_id=77)
    updates = {u.update_id: u for u in await bot.get_updates()}
    assert updates[by_text].callback_query.data == "next"
    assert updates[by_data].callback_query.data == "cancel"
    assert updates[by_text].callback_query.message.message_id == sent.message_id
    assert updates[forged].callback_query.data == "admin:delete_all"
    assert not updates[stale].callback_query.message.is_accessible  # InaccessibleMessage

    assert await bot.answer_callback_query(updates[by_text].callback_query.id, "OK")
    assert fake.answer_for(by_text)["text"] == "OK"
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(updates[by_text].callback_query.id)
    with pytest.raises(LookupError, match="no inline button"):
        alice.press("Không có")


async def test_press_without_keyboard_raises(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001)
    await bot.send_message(1001, "no buttons")
    with pytest.raises(LookupError, match="no bot message with an inline keyboard"):
        alice.press("x")


async def test_text_limits(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(1001)
    await bot.send_message(1001, "ế" * 4096)  # characters, not bytes
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1001, "a" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(1001, " \n ")
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(1001, make_jpeg(), caption="c" * 1025)
    assert [c.method for c in fake.errors] == ["sendMessage", "sendMessage", "sendPhoto"]
    assert len(fake.messages(1001)) == 1


async def test_callback_data_and_button_rules(fake: FakeTelegram, bot: Bot) -> None:
    """PTB validates none of this client-side; the fake must refuse it."""
    fake.user(1001)
    await bot.send_message(1001, "ok", reply_markup=keyboard(("a", "x" * 64)))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(1001, "x", reply_markup=keyboard(("a", "x" * 65)))
    with pytest.raises(BadRequest, match="Button_data_invalid"):  # 22 chars but 66 bytes
        await bot.send_message(1001, "x", reply_markup=keyboard(("a", "ế" * 22)))
    with pytest.raises(BadRequest, match="(?i)text buttons are unallowed"):
        await bot.send_message(
            1001, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("no action")]])
        )
    with pytest.raises(BadRequest, match="text"):
        await bot.send_message(1001, "x", reply_markup=keyboard(("", "d")))
    assert len(fake.errors) == 4


@pytest.mark.parametrize(
    "html",
    [
        "<b>unclosed",
        "<b>x</i>",
        "x</b>",
        "a < b",
        "line<br>break",
        "<p>para</p>",
        "Tom & Jerry",
        '<span class="red">x</span>',
        "&nbsp;",
    ],
)
async def test_malformed_html_is_rejected(fake: FakeTelegram, bot: Bot, html: str) -> None:
    fake.user(1001)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(1001, html, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_photo(1001, make_jpeg(), caption=html, parse_mode=ParseMode.HTML)
    assert len(fake.errors) == 2
    # Without parse_mode the same text is fine.
    await bot.send_message(1001, html)


async def test_wellformed_html_is_accepted(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001)
    html = (
        '<b>Đậm</b> <i>nghiêng</i> <a href="https://x.vn/?a=1&b=2">link</a> '
        '<span class="tg-spoiler">bí mật</span> <tg-spoiler>s</tg-spoiler> '
        '<blockquote expandable>q</blockquote> <pre><code class="language-py">1 &lt; 2'
        "</code></pre> Tom &amp; Jerry &#39;"
    )
    sent = await bot.send_message(1001, html, parse_mode=ParseMode.HTML)
    assert alice.last.text == html  # as sent
    assert (
        alice.last.plain_text == sent.text == ("Đậm nghiêng link bí mật s q 1 < 2 Tom & Jerry '")
    )
    # The length limit applies to the visible text, not to the markup.
    await bot.send_message(1001, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    assert fake.errors == []


def test_html_parser_lenient_ampersand_option() -> None:
    assert telegram_html_to_text("Tom & Jerry", strict_ampersand=False) == "Tom & Jerry"
    with pytest.raises(ValueError, match='Unsupported start tag "br" at byte offset 6'):
        telegram_html_to_text("Chào <br>")  # byte offsets count UTF-8 bytes


async def test_reply_keyboard_and_reply_parameters(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001)
    uid = alice.send_text("gửi vị trí")
    [update] = await bot.get_updates()
    markup = ReplyKeyboardMarkup(
        [[KeyboardButton("📍 Vị trí", request_location=True)], ["Bỏ qua"]], one_time_keyboard=True
    )
    sent = await update.message.reply_text("Bấm nút", reply_markup=markup, do_quote=True)
    assert sent.reply_to_message is not None and sent.reply_to_message.text == "gửi vị trí"
    assert sent.reply_markup is None  # Telegram does not echo reply keyboards
    assert alice.last.keyboard == [
        {"text": "📍 Vị trí", "request_location": True},
        {"text": "Bỏ qua"},
    ]
    assert fake.raw_update(uid)["message"]["text"] == "gửi vị trí"
    with pytest.raises(BadRequest, match="replied not found"):
        await bot.send_message(1001, "x", reply_to_message_id=999)
    with pytest.raises(BadRequest, match="private chats only"):
        await bot.send_message(-100123, "x", reply_markup=markup)


# ------------------------------------------------------------------------------------------
# edits and deletes
# ------------------------------------------------------------------------------------------
async def test_edits_history_not_modified_and_delete(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001)
    sent = await bot.send_message(1001, "v1", reply_markup=keyboard(("A", "a")))
    edited = await bot.edit_message_text(
        "v2", 1001, sent.message_id, reply_markup=keyboard(("B", "b"))
    )
    assert edited.text == "v2" and edited.edit_date is not None
    msg = alice.last
    assert (msg.text, msg.buttons, [e["text"] for e in msg.edits]) == ("v2", ["B"], ["v1"])

    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("v2", 1001, sent.message_id, reply_markup=keyboard(("B", "b")))
    await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=keyboard(("C", "c")))
    assert msg.buttons == ["C"]
    await bot.edit_message_text("v3", 1001, sent.message_id)  # no reply_markup: keyboard goes
    assert msg.buttons == [] and len(msg.edits) == 3

    photo = await bot.send_photo(1001, make_jpeg(), caption="old")
    await bot.edit_message_caption(
        1001, photo.message_id, caption="<b>new</b>", parse_mode=ParseMode.HTML
    )
    assert alice.last.text == "<b>new</b>" and alice.last.payload["caption"] == "new"
    with pytest.raises(BadRequest, match="no text in the message"):
        await bot.edit_message_text("x", 1001, photo.message_id)
    with pytest.raises(BadRequest, match="to edit not found"):
        await bot.edit_message_text("x", 1001, 999)

    assert await bot.delete_message(1001, sent.message_id)
    assert msg.deleted and fake.messages(1001, include_deleted=False) == [alice.last]
    with pytest.raises(BadRequest, match="to delete not found"):
        await bot.delete_message(1001, sent.message_id)


# ------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------
async def test_user_photo_get_file_download_returns_same_bytes(
    fake: FakeTelegram,
    bot: Bot,
) -> None:
    alice = fake.user(1001)
    image = make_jpeg()
    alice.send_photo(image, caption="ảnh")
    alice.send_photo()  # default image: generated, different content
    first, second = await bot.get_updates()
    sizes = first.message.photo
    assert len(sizes) == 3 and sizes[-1].width > sizes[0].width
    assert first.message.caption == "ảnh"
    tg_file = await bot.get_file(sizes[-1].file_id)
    assert tg_file.file_path.startswith(fake.file_base_url)
    assert bytes(await tg_file.download_as_bytearray()) == image
    assert second.message.photo[-1].file_unique_id != sizes[-1].file_unique_id
    small = await (await bot.get_file(sizes[0].file_id)).download_as_bytearray()
    assert bytes(small[:2]) == b"\xff\xd8"  # a real (smaller) JPEG


async def test_album_arrives_as_separate_updates(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001)
    ids = alice.send_album(3, caption="Album")
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == ids
    groups = {u.message.media_group_id for u in updates}
    assert len(groups) == 1 and None not in groups
    assert [u.message.caption for u in updates] == ["Album", None, None]
    assert len({u.message.photo[-1].file_unique_id for u in updates}) == 3


async def test_bot_sends_photos_documents_albums(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001)
    alice.send_photo()
    [update] = await bot.get_updates()
    user_photo_id = update.message.photo[-1].file_id

    by_upload = await bot.send_photo(1001, make_jpeg(size=(800, 600)))
    assert [p.width for p in by_upload.photo] == [90, 320, 800]
    by_id = await bot.send_photo(1001, user_photo_id, caption="lại")
    assert by_id.photo[-1].file_id == user_photo_id
    by_url = await bot.send_photo(1001, "https://example.com/a.jpg")
    assert by_url.photo
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_photo(1001, "no-such-file-id")
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(1001, b"not an image")

    doc = await bot.send_document(1001, b"a,b\n1,2\n", filename="bao_cao.csv")
    assert doc.document.file_name == "bao_cao.csv"
    downloaded = await (await bot.get_file(doc.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"a,b\n1,2\n"
    with pytest.raises(BadRequest, match="(?i)type of file mismatch"):
        await bot.send_document(1001, user_photo_id)

    album = await bot.send_media_group(
        1001,
        [
            InputMediaPhoto(make_jpeg(), caption="<b>1</b>", parse_mode=ParseMode.HTML),
            InputMediaPhoto(user_photo_id),
        ],
    )
    assert len({m.media_group_id for m in album}) == 1 and album[0].caption == "1"
    docs = await bot.send_media_group(
        1001,
        [InputMediaDocument(b"x", filename="a.txt"), InputMediaDocument(b"y", filename="b.txt")],
    )
    assert [d.document.file_name for d in docs] == ["a.txt", "b.txt"]
    with pytest.raises(BadRequest, match="2-10"):
        await bot.send_media_group(1001, [InputMediaPhoto(make_jpeg())])
    with pytest.raises(BadRequest, match="album"):
        await bot.send_media_group(1001, [InputMediaPhoto(user_photo_id)] * 11)

    methods = [m.method for m in alice.inbox]
    assert methods == ["sendPhoto"] * 3 + ["sendDocument"] + ["sendMediaGroup"] * 4
    assert alice.inbox[-1].media_group_id == alice.inbox[-2].media_group_id
    assert alice.inbox[1].text == "lại"


async def test_other_user_update_kinds_parse_in_ptb(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001, first_name="Lan", last_name="Nguyễn")
    alice.send_document(make_jpeg(), mime_type="image/jpeg", file_name="anh.jpg")
    alice.send_sticker()
    alice.send_voice(duration=4)
    alice.send_video_note()
    live = alice.send_location(21.03, 105.85, live_period=900)
    alice.send_venue(10.77, 106.70, "UBND Phường", "1 Lê Lợi")
    alice.send_contact("+84901234567")
    alice.send_contact("+84907654321", own=False, first_name="Bình")
    alice.send_command("start", "ref_abc")
    msgs = [u.message for u in await bot.get_updates()]
    live_mid = msgs[4].message_id
    alice.move_live_location(live_mid, 21.04, 105.86)
    [edited] = await bot.get_updates(offset=fake.pending_updates[-1])

    assert msgs[0].document.file_name == "anh.jpg" and msgs[0].document.mime_type == "image/jpeg"
    assert msgs[1].sticker.emoji == "👍"
    voice = await (await bot.get_file(msgs[2].voice.file_id)).download_as_bytearray()
    with warnings.catch_warnings():  # PTB 22: int durations are deprecated in favour of timedelta
        warnings.simplefilter("ignore")
        assert seconds(msgs[2].voice.duration) == 4 and bytes(voice).startswith(b"OggS")
        assert seconds(msgs[4].location.live_period) == 900
    assert msgs[3].video_note is not None
    assert msgs[5].venue.title == "UBND Phường" and msgs[5].location is not None
    assert msgs[6].contact.user_id == 1001 and msgs[7].contact.user_id is None
    assert msgs[8].text == "/start ref_abc" and msgs[8].entities[0].type == "bot_command"
    assert edited.edited_message.message_id == live_mid
    assert edited.edited_message.location.latitude == 21.04
    assert fake.raw_update(live)["message"]["location"]["live_period"] == 900


# ------------------------------------------------------------------------------------------
# getUpdates semantics
# ------------------------------------------------------------------------------------------
async def test_offset_confirms_and_redeliver_repeats(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001)
    u1 = alice.send_text("one")
    [a] = await bot.get_updates(offset=0)
    [a_again] = await bot.get_updates(offset=0)  # unconfirmed: served again
    assert a_again.update_id == u1
    assert await bot.get_updates(offset=u1 + 1) == ()
    fake.redeliver(u1)
    [b] = await bot.get_updates(offset=u1 + 1)  # a copy, despite the offset
    assert b.to_dict() == a.to_dict()
    assert await bot.get_updates(offset=u1 + 1) == ()
    await fake.delivered(u1, times=3)

    u2, u3, u4 = (alice.send_text(t) for t in ("2", "3", "4"))
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == [u4]
    assert fake.pending_updates == [u4]
    assert [u.update_id for u in await bot.get_updates(limit=1)] == [u4]
    assert u2 < u3 < u4


async def test_long_poll_waits_and_wakes_on_update(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001)
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.3) == ()  # PTB passes fractional seconds through
    assert 0.25 <= time.monotonic() - started < 2

    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await fake.wait_until_polling()
    woke = time.monotonic()
    uid = alice.send_text("wake up")
    [update] = await poll
    assert update.update_id == uid and time.monotonic() - woke < 1
    await fake.delivered(uid)


# ------------------------------------------------------------------------------------------
# faults and rate limits
# ------------------------------------------------------------------------------------------
async def test_injected_faults_map_to_ptb_exceptions(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(1001)
    fake.user(1002)
    fake.fail("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as exc:
        await bot.send_message(1001, "x")
    assert retry_seconds(exc.value) == 3
    await bot.send_message(1001, "x")  # times=1: the next one succeeds

    fake.fail("sendMessage", 403)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(1001, "x")
    fake.fail("*", 500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(1001, "x")
    fake.fail("sendPhoto", 502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_photo(1001, make_jpeg())
    fake.fail("getUpdates", 409)
    with pytest.raises(Conflict):
        await bot.get_updates()

    fake.fail("sendMessage", 403, chat_id=1002)
    await bot.send_message(1001, "not this chat")
    with pytest.raises(Forbidden):
        await bot.send_message(1002, "this one")

    assert fake.errors == []  # injected faults are not the bot's mistakes
    assert fake.n429 == 1
    assert [m.text for m in fake.messages(1001)] == ["x", "not this chat"]


async def test_hang_until_client_times_out(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(1001)
    fake.fail("sendMessage", 0)
    with pytest.raises(TimedOut):
        await bot.send_message(1001, "x", read_timeout=0.2)
    hung = fake.calls_to("sendMessage")[0]
    assert hung.status == 0 and hung.response is None
    await bot.send_message(1001, "after")


async def test_blocked_user(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001)
    alice.block()
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(1001, "x")
    alice.unblock()
    await bot.send_message(1001, "x")
    assert fake.errors == []


async def test_rate_enforcement() -> None:
    fake = FakeTelegram(token=TOKEN, per_chat_rate=1, global_rate=3)
    async with fake, fake.bot() as bot:
        await bot.send_message(1, "a")
        with pytest.raises(RetryAfter) as exc:
            await bot.send_message(1, "b")  # 2nd in the same second to chat 1
        assert retry_seconds(exc.value) == 1
        await bot.send_message(2, "c")
        await bot.send_message(3, "d")
        with pytest.raises(RetryAfter):
            await bot.send_message(4, "e")  # 4th overall within one second
        await bot.send_chat_action(4, "typing")  # not a message: not limited
        assert fake.n429 == 2 and fake.errors == []


# ------------------------------------------------------------------------------------------
# a real Application, polling
# ------------------------------------------------------------------------------------------
async def test_application_polling_end_to_end(fake: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(
            f"Xin chào {update.effective_user.first_name}! args={context.args}",
            reply_markup=keyboard(("Tiếp tục", "step:2")),
        )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_chat.send_action("typing")
        await update.effective_message.reply_html(f"Bạn nói: <b>{update.message.text}</b>")

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("Đã nhận")
        await query.edit_message_text(f"Đã chọn {query.data}")

    app = fake.application_builder().build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(button))
    alice = fake.user(1001, first_name="Lan", username="lan_thon3", language_code="vi")

    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)

        alice.send_command("start", "ref42")
        [greeting] = await alice.wait_for_message()
        assert greeting.text == "Xin chào Lan! args=['ref42']"
        assert greeting.buttons == ["Tiếp tục"]

        uid = alice.send_text("hello")
        [reply] = await alice.wait_for_message()
        assert reply.text == "Bạn nói: <b>hello</b>" and reply.plain_text == "Bạn nói: hello"
        await fake.delivered(uid)

        pressed = alice.press("Tiếp tục")
        await fake.wait_for_call("editMessageText")
        assert fake.answer_for(pressed)["text"] == "Đã nhận"
        assert greeting.text == "Đã chọn step:2" and greeting.buttons == []

        await app.updater.stop()
        await app.stop()

    assert fake.errors == []
    assert fake.calls_to("sendChatAction")[0].params["action"] == "typing"
    assert fake.pending_updates == []  # PTB confirmed everything on stop


async def test_wait_for_message_timeout_explains(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(1001)
    await bot.send_message(1001, "old")
    since = len(fake.messages(1001))
    await bot.send_message(1001, "only one")
    with pytest.raises(BadRequest):
        await bot.send_message(1001, "<b>broken", parse_mode=ParseMode.HTML)
    with pytest.raises(AssertionError) as exc:
        await fake.wait_for_message(1001, count=2, since=since, timeout=0.05)
    report = str(exc.value)
    assert "expected 2 new message(s)" in report and "'only one'" in report
    assert "can't parse entities" in report  # the 400 the bot hit is listed
    with pytest.raises(AssertionError, match="no matching getFile"):
        await fake.wait_for_call("getFile", timeout=0.05)


# ------------------------------------------------------------------------------------------
# bot settings
# ------------------------------------------------------------------------------------------
async def test_commands_menu_button_and_webhook(fake: FakeTelegram, bot: Bot) -> None:
    from telegram import BotCommand, BotCommandScopeAllPrivateChats, MenuButtonCommands

    await bot.set_my_commands([BotCommand("start", "Bắt đầu"), BotCommand("help", "Trợ giúp")])
    await bot.set_my_commands(
        [BotCommand("report", "Báo cáo")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="vi",
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert fake.commands_for({"type": "all_private_chats"}, "vi")[0]["command"] == "report"
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "x")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()

    await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert fake.menu_buttons[None] == {"type": "commands"}

    await bot.set_webhook("https://example.com/hook", secret_token="s3cret")
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
    assert await bot.log_out() and await bot.close()
    assert [c.status for c in fake.errors] == [400, 409]


async def test_send_voice_plays_opus_mp3_m4a_and_files_the_rest(fake: FakeTelegram,
                                                                bot: Bot) -> None:
    """As the Bot API says of sendVoice: OGG/Opus, MP3 or M4A become a playable voice message,
    "other formats may be sent as Audio or Document"; a file id must name a voice."""
    from tests.support.voices import voice_note

    alice = fake.user(1001, first_name="Lan")
    opus = await bot.send_voice(alice.id, voice_note(1), duration=1, caption="PA-1")
    m4a = await bot.send_voice(alice.id, voice_note(1, kind="m4a"), duration=1)
    wav = await bot.send_voice(alice.id, b"RIFF\x00\x00\x00\x00WAVEfmt ", filename="x.wav")
    again = await bot.send_voice(alice.id, opus.voice.file_id)
    assert (opus.voice.mime_type, m4a.voice.mime_type) == ("audio/ogg", "audio/mp4")
    assert opus.caption == "PA-1" and wav.voice is None and wav.document is not None
    assert again.voice.file_unique_id == opus.voice.file_unique_id
    with pytest.raises(BadRequest, match="(?i)type of file mismatch"):
        await bot.send_voice(alice.id, wav.document.file_id)
    fake.fail("sendVoice", 400, description="Bad Request: VOICE_MESSAGES_FORBIDDEN")
    with pytest.raises(BadRequest, match="(?i)voice_messages_forbidden"):
        await bot.send_voice(alice.id, voice_note(1))
    assert [m.kind for m in alice.inbox] == ["voice", "voice", "document", "voice"]
