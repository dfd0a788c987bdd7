"""The privacy notice in the web chat, and the web pages' link to the full notice."""

from __future__ import annotations

from sqlmodel import select

from storage.models import ChannelAccount
from tests.support.consent import is_privacy_notice
from tests.support.consent_checks import assert_consent_stored
from tests.support.officials import FEEDBACK_QUESTIONS
from tests.web.chat_client import WebChatClient


async def test_notice_before_the_first_personal_question_in_the_web_chat(client, db):
    chat = WebChatClient(client)
    chat.auto_consent = False
    await chat.start()
    await chat.text("/phananh")
    await chat.press("Hạ tầng: đường, điện, nước, chiếu sáng")
    await chat.text("Đèn đường ngõ 12 phố Hàng Bạc hỏng hai tuần nay.")
    assert is_privacy_notice(chat.last.text)
    assert [b.label for b in chat.last.buttons] == ["✅ Đồng ý", "Không đồng ý"]
    assert not any(FEEDBACK_QUESTIONS["photos"] in b.text for b in chat.transcript)
    await chat.press("✅ Đồng ý")
    assert FEEDBACK_QUESTIONS["photos"] in chat.last.text
    async with db.session() as session:
        account = (await session.exec(select(ChannelAccount))).one()
    await assert_consent_stored(db, "web", account.external_id)


async def test_the_web_pages_link_the_privacy_notice(client):
    for page in ("/", "/chat"):
        async with client.get(page) as response:
            assert 'href="/privacy"' in await response.text()
    async with client.get("/privacy") as response:
        body = await response.text()
    assert response.status == 200
    assert "Quyền riêng tư và dữ liệu cá nhân (bản 2026-12)" in body
    assert "/xoadulieu" in body
