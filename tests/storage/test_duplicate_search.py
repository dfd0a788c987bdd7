"""The search for similar open feedback (storage/repositories/duplicates.py) gives the same
answer with pg_trgm (PostgreSQL, where migration 0025 created it) and without it (SQLite, or a
PostgreSQL user who may not create extensions): the Python measure is pg_trgm's own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from storage.models import Feedback, Person
from storage.repositories import duplicates
from storage.text_similarity import SIMILAR, similarity
from tests.support.backend import ON_POSTGRES

TEXTS = [
    "Đèn đường ngõ 12 phố Hàng Bạc hỏng hai tuần nay, tối rất nguy hiểm.",
    "Rác thải đổ trộm ở bãi đất trống cạnh chợ Hàng Bè.",
    "Đèn đường ở ngõ 12 Hàng Bạc lại hỏng, buổi tối tối om.",
]
QUERY = "Đèn đường ở ngõ 12 Hàng Bạc bị hỏng"


def test_the_python_measure_is_pg_trgms():
    # Figures PostgreSQL 15's pg_trgm gives for the same pairs (SELECT similarity(a, b)).
    assert round(similarity("Đèn đường hỏng", "đèn đường bị hỏng rồi"), 4) == 0.65
    assert round(similarity(TEXTS[0], "Đèn đường ở ngõ 12 Hàng Bạc bị hỏng, buổi tối tối om"),
                 4) == 0.4627
    assert similarity(TEXTS[0], TEXTS[1]) < SIMILAR
    assert similarity("", TEXTS[0]) == 0.0


async def stored_feedback(db, clock):  # noqa: ANN001, ANN201
    now = clock.now()
    async with db.session() as session:
        session.add(Person(id=500, display_name="Hoa", created_at=now))
        await session.flush()
        for number, body in enumerate(TEXTS, start=1):
            session.add(Feedback(code=f"PA-2026-{number:06d}", category="infrastructure",
                                 text=body, reporter_id=500, commune_code="00070",
                                 province_code="01", assigned_unit_code="00070",
                                 assigned_province_code="01", created_at=now, updated_at=now))
        await session.commit()


async def search(db, clock) -> list[tuple[str, float]]:  # noqa: ANN001
    async with db.session() as session:
        found = await duplicates.similar_in_commune(
            session, commune_code="00070", text_=QUERY, category="infrastructure",
            since=clock.now() - timedelta(days=30), person_id=1, unpinned_only=False)
    return [(feedback.code or "", round(score, 4)) for feedback, score in found]


async def test_similar_texts_of_the_commune_most_alike_first(db, clock):
    await stored_feedback(db, clock)
    found = await search(db, clock)
    assert [code for code, _ in found] == ["PA-2026-000003", "PA-2026-000001"]
    assert found == [(code, round(similarity(TEXTS[int(code[-1]) - 1], QUERY), 4))
                     for code, _ in found]
    async with db.session() as session:
        assert await duplicates.has_pg_trgm(session) == ON_POSTGRES


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_trgm is PostgreSQL's")
async def test_without_the_extension_postgresql_falls_back_to_python(db, clock):
    await stored_feedback(db, clock)
    with_extension = await search(db, clock)
    async with db.session() as session:
        await session.exec(text("DROP EXTENSION pg_trgm"))  # type: ignore[call-overload]
        await session.commit()
        assert not await duplicates.has_pg_trgm(session)
    assert await search(db, clock) == with_extension
