"""Places a person can check, end to end on Telegram, Zalo Bot and the web chat: a location is
said back with the nearest commune and a map link (the summary shows them too), and a pin far
from the chosen commune's province is questioned before it is kept."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Conversation, Practice
from tests.support.channel_chats import open_chat, walk_until
from tests.support.practice_walk import COMPLETE_PRACTICE, Step

__all__ = ["open_chat"]  # the fixture, parametrised over the channels

SAIGON = (10.7769, 106.7009)
THANH_XUAN = (21.0008, 105.8123)


def after(field: str) -> list[Step]:
    fields = [step.field for step in COMPLETE_PRACTICE]
    return COMPLETE_PRACTICE[len(fields) - fields[::-1].index(field):]


async def location_answer(db) -> object:  # noqa: ANN001
    async with db.session() as session:
        conversation = (await session.exec(select(Conversation))).one()
    return conversation.data["answers"].get("location")


async def test_a_pin_is_confirmed_with_the_nearest_commune_and_a_map_link(open_chat, db):
    async with open_chat() as chat:
        await walk_until(chat, "location")
        await chat.step(Step("location", "location", THANH_XUAN))
        said = chat.last()
        assert "📍 Đã ghi vị trí: 21.00080, 105.81230" in said
        assert "gần Phường Thanh Xuân, Thành phố Hà Nội" in said
        assert "openstreetmap.org/?mlat=21.00080&mlon=105.81230" in said
        for step in after("location"):
            await chat.step(step)
        assert "openstreetmap.org/?mlat=21.00080&mlon=105.81230" in chat.last()  # the summary
        await chat.send()
    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
    assert (practice.latitude, practice.longitude) == THANH_XUAN


async def test_a_pin_in_another_province_is_questioned_and_can_be_sent_again(open_chat, db):
    async with open_chat() as chat:
        await walk_until(chat, "location")  # the commune chosen: Phường Thanh Xuân, Hà Nội
        await chat.step(Step("location", "location", SAIGON))
        assert "Vị trí này có vẻ không thuộc Thành phố Hà Nội — đúng không?" in chat.last()
        assert await location_answer(db) is None  # not kept until confirmed
        await chat.step(Step("location", "press", "Gửi lại vị trí"))
        assert "Hãy gửi lại vị trí." in chat.last()
        await chat.step(Step("location", "location", THANH_XUAN))
        assert "gần Phường Thanh Xuân" in chat.last()
        assert await location_answer(db) == {"lat": THANH_XUAN[0], "lon": THANH_XUAN[1],
                                             "title": None}


async def test_a_far_pin_the_person_confirms_is_kept(open_chat, db):
    async with open_chat() as chat:
        await walk_until(chat, "location")
        await chat.step(Step("location", "location", SAIGON))
        await chat.step(Step("location", "press", "Đúng, giữ vị trí này"))
        assert "gần Phường Sài Gòn, Thành phố Hồ Chí Minh" in chat.last()
        stored = await location_answer(db)
    assert (stored["lat"], stored["lon"]) == SAIGON
