"""The map's GeoJSON answers are kept per worker until what the map shows changes (issue 17,
item 7): the database's own triggers move the public map's version in the transaction that
approves, recognises or withdraws a practice, so every worker's next answer shows the change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.web.keys import MAP_ANSWERS
from bot.web.metrics import Metrics
from storage.models import PracticeEventKind, PracticeStatus
from storage.repositories import public_map, reviews
from tests.support.web_app import create_web_app
from tests.web.factories import add_practice

COUNTRY = "/api/practices.geojson?bbox=102,8,110,24&zoom=6"
NOW = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
async def second_worker(settings, db, services, engine):
    """Another worker on the same database: its own app, its own kept answers."""
    app = create_web_app(settings=settings, db=db, services=services, engine=engine,
                         metrics=Metrics())
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


async def codes_on_map(client) -> set[str]:
    response = await client.get(COUNTRY)
    assert response.status == 200
    body = await response.json()
    return {feature["properties"]["code"] for feature in body["features"]}


async def move(db, practice_id: int, to_status: str) -> None:
    """What an official's decision does to the practice (handlers/officials/review.py)."""
    async with db.session() as session:
        practice = await reviews.get_practice(session, practice_id)
        assert practice is not None
        await reviews.add_event(session, practice=practice, kind=PracticeEventKind(to_status),
                                actor_id=practice.submitter_id, now=NOW, to_status=to_status)
        await session.commit()


async def test_an_approved_practice_is_on_every_workers_country_map_at_once(
        client, second_worker, web_app, db) -> None:
    shown = await add_practice(db, status="approved")
    waiting = await add_practice(db, status=PracticeStatus.SUBMITTED)
    for worker in (client, second_worker):
        assert await codes_on_map(worker) == {shown.code}
    assert await codes_on_map(client) == {shown.code}
    assert web_app[MAP_ANSWERS].hits == 1  # the second ask was answered from memory

    await move(db, waiting.id, PracticeStatus.APPROVED)

    for worker in (client, second_worker):
        assert await codes_on_map(worker) == {shown.code, waiting.code}


async def test_a_withdrawn_or_rejected_practice_leaves_every_workers_map_at_once(
        client, second_worker, db) -> None:
    practice = await add_practice(db, status="approved")
    for worker in (client, second_worker):
        assert await codes_on_map(worker) == {practice.code}

    await move(db, practice.id, PracticeStatus.REJECTED)

    for worker in (client, second_worker):
        assert await codes_on_map(worker) == set()


async def test_a_recognition_shows_its_level_at_once(client, db) -> None:
    practice = await add_practice(db, status="approved")
    first = await (await client.get(COUNTRY)).json()
    assert first["features"][0]["properties"]["level"] is None

    async with db.session() as session:
        stored = await reviews.get_practice(session, practice.id)
        assert stored is not None
        await reviews.recognise(session, practice=stored, level="province", unit_code="01",
                                by=practice.submitter_id, now=NOW,
                                valid_until=NOW + timedelta(days=5 * 365))
        await session.commit()

    again = await (await client.get(COUNTRY)).json()
    assert again["features"][0]["properties"]["level"] == "province"


async def test_what_the_map_does_not_show_leaves_the_kept_answers_alone(
        client, web_app, db) -> None:
    async with db.reading() as session:
        before = await public_map.map_version(session)
    await add_practice(db, status="approved")
    await codes_on_map(client)
    async with db.reading() as session:
        after_approved = await public_map.map_version(session)

    waiting = await add_practice(db, status=PracticeStatus.SUBMITTED)
    await move(db, waiting.id, PracticeStatus.CHANGES_REQUESTED)
    await codes_on_map(client)

    async with db.reading() as session:
        assert await public_map.map_version(session) == after_approved > before
    assert web_app[MAP_ANSWERS].hits == 1
