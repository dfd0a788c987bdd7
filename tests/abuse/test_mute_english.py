"""The mute in English (the catalogue's other language): the notice and the refusal read in the
person's language, and end by themselves with the clock (the engine with real SQLite)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.models import ChannelAccount, Person
from storage.repositories import mutes


async def test_a_muted_person_reading_english_is_told_in_english(make_chat, db, clock):  # noqa: ANN001
    chat = make_chat(4001, "Jane")
    await chat.open_menu()
    async with db.session() as session:
        account = (await session.exec(select(ChannelAccount).where(
            ChannelAccount.external_id == "4001"))).one()
        person = await session.get(Person, account.person_id)
        person.language = "en"
        await mutes.mute(session, person=person, feedback_id=None, muted_by=None,
                         reason="spam", now=clock.now(), ends_at=clock.now() + timedelta(days=2))
        await session.commit()

    await chat.text("hello")
    assert chat.last.text.startswith(
        "🔇 For now your account cannot send new feedback, until 02/12/2026 09:00.")
    assert "spam" not in chat.last.text
    await chat.command("feedback")
    assert chat.last.text == ("🔇 For now you cannot send new feedback, until 02/12/2026 09:00. "
                              "Your draft is kept; you can still follow the feedback you sent "
                              "(/status).")
    clock.advance(days=2)
    await chat.command("feedback")
    assert "What is your feedback about?" in chat.last.text
    assert "🔇" not in chat.last.text
