"""Places a person can check, end to end on Telegram, Zalo Bot and the web chat: a location is
said back with the nearest commune and a map link (the summary shows them too), and a pin far
from the chosen commune's province is questioned before it is kept."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Conversation, Practice
from tests.support.channels import channel_chat, walk_practice_until
from tests.support.chat_driver import walk
from tests.support.practice_walk import COMPLETE_PRACTICE, Step

__all__ = ["channel_chat"]  # the fixture, parametrised over the channels

SAIGON = (10.7769, 106.7009)
THANH_XUAN = (21.0008, 105.8123)


def after(field: str) -> list[Step]:
    fields = [step.field for step in COMPLETE_PRACTICE]
    return COMPLETE_PRACTICE[len(fields) - fields[::-1].index(field):]


async def location_answer(db) -> object:  # noqa: ANN001
    async with db.session() as session:
        conversation = (await session.exec(select(Conversation))).one()
    return conversation.data["draft"]["answers"].get("location")


async def test_a_pin_is_confirmed_with_the_nearest_commune_and_a_map_link(channel_chat, db):
    async with channel_chat() as chat:
        await walk_practice_until(chat, "location")
        await chat.location(*THANH_XUAN)
        said = chat.last_text
        assert "📍 Đã ghi vị trí: 21.00080, 105.81230" in said
        assert "gần Phường Thanh Xuân, Thành phố Hà Nội" in said
        assert "openstreetmap.org/?mlat=21.00080&mlon=105.81230" in said
        await walk(chat, after("location"))
        assert "openstreetmap.org/?mlat=21.00080&mlon=105.81230" in chat.last_text  # the summary
        await chat.press("Gửi")
    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
    assert (practice.latitude, practice.longitude) == THANH_XUAN


async def test_a_pin_in_another_province_is_questioned_and_can_be_sent_again(channel_chat, db):
    async with channel_chat() as chat:
        await walk_practice_until(chat, "location")  # commune chosen: Thanh Xuân, Hà Nội
        await chat.location(*SAIGON)
        assert "Vị trí này có vẻ không thuộc Thành phố Hà Nội — đúng không?" in chat.last_text
        assert await location_answer(db) is None  # not kept until confirmed
        await chat.press("Gửi lại vị trí")
        assert "Hãy gửi lại vị trí." in chat.last_text
        await chat.location(*THANH_XUAN)
        assert "gần Phường Thanh Xuân" in chat.last_text
        stored = await location_answer(db)
        assert (stored["lat"], stored["lon"]) == THANH_XUAN


async def test_a_far_pin_the_person_confirms_is_kept(channel_chat, db):
    async with channel_chat() as chat:
        await walk_practice_until(chat, "location")
        await chat.location(*SAIGON)
        await chat.press("Đúng, giữ vị trí này")
        assert "gần Phường Sài Gòn, Thành phố Hồ Chí Minh" in chat.last_text
        stored = await location_answer(db)
    assert (stored["lat"], stored["lon"]) == SAIGON
