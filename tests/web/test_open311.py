"""Open311 GeoReport v2 (issue 17, item 4): the feedback its senders chose to publish, with
the spec's field names, no personal data (named or anonymous alike), the place rounded to
~100 m, photos only as clean copies; a partner's POST only with an API key from
`dvk apikey create`, rate-limited and audited."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.cli import build_parser
from bot.web.metrics import Metrics
from handlers.consent import current_version
from storage.models import (
    ApiKey,
    AuditEntry,
    Feedback,
    FeedbackStatus,
    OutboxMessage,
    Person,
)
from storage.repositories import feedback as feedback_repo
from storage.repositories import personal_data
from tests.support.chat_driver import walk
from tests.support.images import assert_clean_photo, phone_photo
from tests.support.officials import HOAN_KIEM, HOAN_KIEM_PIN, feedback_walk
from tests.support.web_app import create_web_app

V2 = "/open311/v2"
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url"}
"""Every field of a service request in GeoReport v2, and nothing else."""
SENDER, PHONE = "Trần Văn Bíẩn", "0912345678"
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


async def send(make_chat, *, publish: bool, anonymous: bool = False, user: int = 1001) -> str:
    """A feedback through the real flow, with a phone's photo (GPS and all) and a map pin."""
    chat = make_chat(user, SENDER)
    await chat.command("phananh")
    for step in feedback_walk(anonymous=anonymous, phone=None if anonymous else PHONE,
                              publish=publish, photos=1):
        if step.kind == "photos":
            await chat.photo(data=phone_photo())
        else:
            await walk(chat, [step])
    await chat.press("Gửi")
    code = re.search(r"PA-\d{4}-\d{6}", chat.last.text)
    assert code, chat.last.text
    return code.group(0)


async def stored(db, code: str) -> Feedback:
    async with db.session() as session:
        return (await session.exec(select(Feedback).where(Feedback.code == code))).one()


def assert_nothing_personal(text: str) -> None:
    for secret in (SENDER, "Trần Văn", PHONE, PHONE[1:], "reporter", "anonymous", "phone"):
        assert secret not in text, secret


async def test_published_feedback_appears_rounded_and_without_its_sender(
        client, make_chat, db) -> None:
    code = await send(make_chat, publish=True)
    feedback = await stored(db, code)
    assert feedback.publish and feedback.reporter_name == SENDER  # kept for officials only

    listed = await client.get(f"{V2}/requests.json")
    text = await listed.text()
    [item] = await listed.json()
    single = await client.get(f"{V2}/requests/{code}.json")

    assert listed.status == 200 and single.status == 200
    assert await single.json() == [item]
    assert set(item) == REQUEST_FIELDS
    assert item["service_request_id"] == code and item["status"] == "open"
    assert item["service_code"] == "infrastructure"
    assert item["service_name"] == "Hạ tầng: đường, điện, nước, chiếu sáng"
    assert item["description"].startswith("Đèn đường ngõ 12 phố Hàng Bạc")
    assert item["address_id"] == HOAN_KIEM
    assert item["address"] == "Phường Hoàn Kiếm, Thành phố Hà Nội"
    assert W3C.match(item["requested_datetime"]) and W3C.match(item["updated_datetime"])
    assert (item["lat"], item["long"]) == (round(HOAN_KIEM_PIN[0], 3),
                                           round(HOAN_KIEM_PIN[1], 3))
    assert (item["lat"], item["long"]) != HOAN_KIEM_PIN
    assert_nothing_personal(text)
    assert_nothing_personal(await single.text())
    photo = await client.get(item["media_url"].removeprefix(str(client.make_url(""))))
    assert photo.status == 200 and photo.content_type == "image/jpeg"
    assert_clean_photo(await photo.read())


async def test_unpublished_feedback_is_nowhere_in_open_data(client, make_chat, db) -> None:
    code = await send(make_chat, publish=False)
    feedback = await stored(db, code)
    assert feedback.publish is False

    assert await (await client.get(f"{V2}/requests.json")).json() == []
    missing = await client.get(f"{V2}/requests/{code}.json")
    assert missing.status == 404
    assert await missing.json() == [{"code": 404, "description": "service_request_id not found"}]
    async with db.session() as session:
        photos = await feedback_repo.photos_of(session, feedback.id)
    assert photos and (await client.get(f"{V2}/media/{photos[0].id}.jpg")).status == 404


async def test_anonymous_published_feedback_stays_anonymous(client, make_chat, db) -> None:
    code = await send(make_chat, publish=True, anonymous=True)
    feedback = await stored(db, code)
    assert feedback.anonymous and feedback.publish and feedback.reporter_name is None

    response = await client.get(f"{V2}/requests.json")
    [item] = await response.json()
    assert item["service_request_id"] == code
    assert_nothing_personal(await response.text())


async def add_feedback(db, *, category: str = "environment", status: str = FeedbackStatus.NEW,
                       created: datetime, text: str = "Rác đổ bừa bãi ven sông.",
                       publish: bool = True) -> str:
    async with db.session() as session:
        person = Person(display_name=SENDER, created_at=created)
        session.add(person)
        await session.flush()
        feedback = await feedback_repo.create_feedback(session, feedback=Feedback(
            status=status, category=category, text=text, reporter_id=person.id, anonymous=False,
            reporter_name=SENDER, reporter_phone=PHONE, commune_code=HOAN_KIEM,
            province_code="01", assigned_unit_code=HOAN_KIEM, assigned_province_code="01",
            latitude=21.03456, longitude=105.85049, publish=publish, created_at=created,
            updated_at=created), photos=[], year=created.year)
        await session.commit()
        return feedback.code or ""


async def codes(client, query: str = "") -> list[str]:
    response = await client.get(f"{V2}/requests.json{query}")
    assert response.status == 200, await response.text()
    return [item["service_request_id"] for item in await response.json()]


async def test_the_standard_filters(client, db, clock) -> None:
    now = clock.now()
    recent = await add_feedback(db, created=now - timedelta(days=2))
    closed = await add_feedback(db, category="public_order", status=FeedbackStatus.RESOLVED,
                                created=now - timedelta(days=10))
    old = await add_feedback(db, created=now - timedelta(days=200))
    await add_feedback(db, created=now - timedelta(days=1), publish=False)

    assert await codes(client) == [recent, closed]  # the last 90 days, newest first
    assert await codes(client, "?service_code=public_order") == [closed]
    assert await codes(client, "?status=closed") == [closed]
    assert await codes(client, "?status=open") == [recent]
    assert await codes(client, "?start_date=2026-01-01T00:00:00%2B07:00") == [recent, closed, old]
    assert await codes(client, "?start_date=2026-01-01T00:00:00Z"
                               "&end_date=2026-11-25T00:00:00Z") == [closed, old]
    assert await codes(client, f"?service_request_id={old},{recent}") == [recent, old]
    assert await codes(client, f"?service_request_id={old}&status=closed") == [old]  # overrides
    assert await codes(client, "?bbox=105.8,21.0,105.9,21.1") == [recent, closed]
    assert await codes(client, "?bbox=106,10,107,11") == []


@pytest.mark.parametrize(("query", "word"), [
    ("?service_code=fireworks", "service_code"), ("?status=pending", "status"),
    ("?start_date=yesterday", "start_date"), ("?bbox=1,2,3", "bbox"),
    ("?start_date=2026-11-02T00:00:00Z&end_date=2026-11-01T00:00:00Z", "start_date")])
async def test_bad_parameters_get_a_georeport_error_list(client, query: str, word: str) -> None:
    response = await client.get(f"{V2}/requests.json{query}")
    assert response.status == 400
    [error] = await response.json()
    assert error["code"] == 400 and word in error["description"]


async def test_texts_are_published_without_phone_numbers_or_addresses_typed_in_them(
        client, db, clock) -> None:
    await add_feedback(db, created=clock.now(), text="Gọi tôi 0912 345 678 hoặc +84 912.345.678,"
                                                     " thư: tran.b@gmail.com. Rác ven sông.")
    [item] = await (await client.get(f"{V2}/requests.json")).json()
    assert item["description"] == "Gọi tôi […] hoặc […], thư: […]. Rác ven sông."
    assert (item["lat"], item["long"]) == (21.035, 105.85)


async def test_discovery_services_and_the_publish_attribute(client) -> None:
    discovery = await (await client.get(f"{V2}/discovery.json")).json()
    [endpoint] = discovery["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and "application/json" in endpoint["formats"]
    assert {"changeset", "contact", "key_service"} <= set(discovery)

    services = await (await client.get(f"{V2}/services.json")).json()
    assert [s["service_code"] for s in services][:2] == ["infrastructure", "environment"]
    assert all({"service_code", "service_name", "description", "metadata", "type", "keywords",
                "group"} == set(s) and s["type"] == "realtime" for s in services)
    english = await (await client.get(f"{V2}/services.json?lang=en")).json()
    assert english[1]["service_name"] != services[1]["service_name"]

    definition = await (await client.get(f"{V2}/services/environment.json")).json()
    [attribute] = definition["attributes"]
    assert definition["service_code"] == "environment"
    assert attribute["code"] == "publish" and attribute["required"] is False
    assert [v["key"] for v in attribute["values"]] == ["no", "yes"]
    assert (await client.get(f"{V2}/services/fireworks.json")).status == 404


async def test_open_data_is_cacheable_and_revalidated(client, db, clock) -> None:
    await add_feedback(db, created=clock.now())
    for path in ("discovery.json", "services.json", "services/other.json", "requests.json"):
        first = await client.get(f"{V2}/{path}")
        assert first.headers["Cache-Control"].startswith("public, max-age="), path
        assert "Set-Cookie" not in first.headers and "Vary" not in first.headers, path
        again = await client.get(f"{V2}/{path}", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status == 304, path


# -- a partner application files feedback ------------------------------------------------------


def run_cli(settings, *argv: str) -> int:  # noqa: ANN001
    args = build_parser().parse_args(list(argv))
    return int(args.run(settings, args))


async def make_key(settings, capsys, name: str = "Ứng dụng Phường Hoàn Kiếm") -> str:
    assert await asyncio.to_thread(run_cli, settings, "apikey", "create", "--name", name) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert key.startswith("dvk_")
    return key


FORM = {"service_code": "environment", "description": "Cống thoát nước tắc ở ngõ 5.",
        "address_id": HOAN_KIEM, "lat": "21.03412", "long": "105.85218",
        "first_name": "Lê", "last_name": "Thị Đối Tác", "phone": "0987654321",
        "email": "le@example.vn", "attribute[publish]": "yes"}


async def test_a_partner_files_feedback_with_its_key_only(client, settings, capsys, db,
                                                        clock) -> None:
    async with db.session() as session:
        official = Person(display_name="Cán bộ Hoàn Kiếm", role="official", level="commune",
                          unit_code=HOAN_KIEM, created_at=clock.now())
        session.add(official)
        await session.commit()
    missing = await client.post(f"{V2}/requests.json", data=FORM)
    bad = await client.post(f"{V2}/requests.json", data={**FORM, "api_key": "dvk_guessed"})
    assert (missing.status, bad.status) == (403, 403)
    assert "api_key" in (await missing.json())[0]["description"]
    async with db.session() as session:
        assert (await session.exec(select(Feedback))).all() == []

    key = await make_key(settings, capsys)
    filed = await client.post(f"{V2}/requests.json", data={**FORM, "api_key": key})

    assert filed.status == 200, await filed.text()
    assert filed.headers["Cache-Control"] == "no-store"
    [receipt] = await filed.json()
    code = receipt["service_request_id"]
    assert code.startswith("PA-2026-") and code in receipt["service_notice"]
    feedback = await stored(db, code)
    async with db.session() as session:
        [api_key] = (await session.exec(select(ApiKey))).all()
        partner = await session.get(Person, api_key.person_id)
        entries = (await session.exec(select(AuditEntry).where(
            AuditEntry.record_code == code))).all()
    assert api_key.key_hash != key and key not in api_key.key_hash and api_key.last_used_at
    assert partner.role == "partner" and feedback.reporter_id == partner.id
    assert feedback.anonymous and feedback.publish and feedback.commune_code == HOAN_KIEM
    assert (feedback.reporter_name, feedback.reporter_phone) == (None, None)
    assert [(e.action, e.actor_role, e.channel) for e in entries] == [
        ("open311.create", "partner", "open311")]
    async with db.session() as session:  # the commune's official hears of it, as of any
        [notice] = (await session.exec(select(OutboxMessage))).all()
    assert notice.person_id == official.id
    assert notice.idempotency_key == f"fb:{feedback.id}:new:0:to:{official.id}"
    assert code in notice.payload[0]["text"] and "Cống thoát nước" in notice.payload[0]["text"]
    assert notice.payload[0]["options"][0][1] == f"fb_open:{feedback.id}"
    published = await client.get(f"{V2}/requests/{code}.json")
    text = await published.text()
    for secret in ("Lê", "Đối Tác", "0987654321", "le@example.vn", key):
        assert secret not in text


async def test_a_revoked_key_is_refused_and_keys_are_listed_without_themselves(
        client, settings, capsys) -> None:
    key = await make_key(settings, capsys)
    assert await asyncio.to_thread(run_cli, settings, "apikey", "list") == 0
    listed = capsys.readouterr().out
    assert "Ứng dụng Phường Hoàn Kiếm" in listed and key not in listed
    assert await asyncio.to_thread(run_cli, settings, "apikey", "revoke", "1") == 0
    capsys.readouterr()
    refused = await client.post(f"{V2}/requests.json", data={**FORM, "api_key": key})
    assert refused.status == 403
    assert await asyncio.to_thread(run_cli, settings, "apikey", "revoke", "99") == 1


@pytest.mark.parametrize(("change", "word"), [
    ({"service_code": "fireworks"}, "service_code"), ({"description": ""}, "description"),
    ({"address_id": "99999"}, "address_id"), ({"lat": "1", "long": "2"}, "lat"),
    ({"attribute[publish]": "maybe"}, "publish")])
async def test_a_bad_request_from_a_partner_is_explained(client, settings, capsys, db,
                                                         change: dict, word: str) -> None:
    key = await make_key(settings, capsys)
    response = await client.post(f"{V2}/requests.json", data={**FORM, **change, "api_key": key})
    assert response.status == 400
    assert word in (await response.json())[0]["description"]
    async with db.session() as session:
        assert (await session.exec(select(Feedback))).all() == []


@pytest.fixture
async def strict_client(settings, db, services, engine):
    strict = settings.updated(open311_posts_per_minute=2)
    app = create_web_app(settings=strict, db=db, services=services, engine=engine,
                         metrics=Metrics())
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


async def test_posts_are_rate_limited_per_key(strict_client, settings, capsys, db) -> None:
    key = await make_key(settings, capsys)
    answers = [await strict_client.post(f"{V2}/requests.json", data={**FORM, "api_key": key})
               for _ in range(3)]
    assert [a.status for a in answers] == [200, 200, 429]
    assert answers[2].headers["Retry-After"] == "60"
    async with db.session() as session:
        assert len((await session.exec(select(Feedback))).all()) == 2
    for _ in range(2):  # wrong keys from one address: refused, then slowed down too
        await strict_client.post(f"{V2}/requests.json", data={**FORM, "api_key": "dvk_x"})
    assert (await strict_client.post(f"{V2}/requests.json",
                                     data={**FORM, "api_key": "dvk_y"})).status == 429


async def test_dates_are_local_w3c(client, db) -> None:
    await add_feedback(db, created=datetime(2026, 11, 29, 20, 30, tzinfo=UTC))
    [item] = await (await client.get(f"{V2}/requests.json")).json()
    assert item["requested_datetime"] == "2026-11-30T03:30:00+07:00"


async def test_erasing_ones_data_withdraws_it_from_open_data(client, make_chat, db,
                                                             clock) -> None:
    code = await send(make_chat, publish=True)
    assert await codes(client) == [code]
    feedback = await stored(db, code)
    async with db.session() as session:
        await personal_data.erase_person(session, person_id=feedback.reporter_id,
                                         channel="telegram", now=clock.now(),
                                         version=current_version())
        await session.commit()

    assert await codes(client) == []
    assert (await stored(db, code)).publish is False
