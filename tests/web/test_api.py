"""The public JSON API over real HTTP: only public data, and bbox and every filter select the
right practices."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from PIL import Image

from storage.models import Feedback
from storage.repositories import demo
from storage.repositories import feedback as feedback_repo
from tests.web.factories import SECRET_ANSWER, SECRET_SUBMITTER, add_practice

HANOI_BBOX = "105.3,20.5,106.3,21.5"
COUNTRY_BBOX = "102,8,110,24"


async def codes(client, **params: str) -> set[str]:
    response = await client.get("/api/practices.geojson", params=params)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["clustered"] is False
    return {feature["properties"]["code"] for feature in body["features"]}


async def test_only_approved_and_recognised_practices_and_their_public_fields_appear(
        client, db, services):
    approved = await add_practice(db, media=services.media, photos=1, title="Đèn đường")
    recognised = await add_practice(db, status="recognised", levels=("commune",))
    individual = await add_practice(db, kind="individual", submitter_name="Nguyễn Cá Nhân")
    hidden = {status: await add_practice(db, media=services.media, status=status, photos=1,
                                         title=f"Ẩn {status}")
              for status in ("submitted", "changes_requested", "rejected")}
    async with db.session() as session:
        reporter = await demo.add_person(session, display_name="Reporter", role="citizen",
                                         now=datetime(2026, 6, 1, tzinfo=UTC))
        await feedback_repo.create_feedback(session, feedback=Feedback(
            category="environment", text="Bãi rác bí mật sau chợ", reporter_id=reporter.id,
            anonymous=False, reporter_name="Trần Phản Ánh", commune_code="00070",
            province_code="01", assigned_unit_code="00070", assigned_province_code="01",
            latitude=21.03, longitude=105.85, created_at=datetime(2026, 6, 1, tzinfo=UTC),
            updated_at=datetime(2026, 6, 1, tzinfo=UTC)), photos=[], year=2026)
        await session.commit()

    assert await codes(client) == {approved.code, recognised.code, individual.code}
    assert await codes(client, q="bí mật") == set()

    seen = []
    for path in ("/api/practices.geojson", f"/api/practices/{approved.code}",
                 f"/api/practices/{individual.code}", f"/practices/{individual.code}",
                 f"/practices/{approved.code}/popup", "/?lang=en"):
        response = await client.get(path)
        assert response.status == 200, path
        seen.append(await response.text())
    everything = "\n".join(seen)
    for secret in (SECRET_SUBMITTER, SECRET_ANSWER, "Nguyễn Cá Nhân", "Bãi rác bí mật",
                   "Trần Phản Ánh", "answers", "submitter_id"):
        assert secret not in everything

    detail = await (await client.get(f"/api/practices/{approved.code}")).json()
    assert detail["collective_name"] == "Thôn Đông Hà"
    assert (await (await client.get(f"/api/practices/{individual.code}")).json())[
        "collective_name"] is None
    photo_url = detail["photos"][0]["thumb_url"]
    assert (await client.get(photo_url)).status == 200

    for practice in hidden.values():
        for path in (f"/api/practices/{practice.code}", f"/practices/{practice.code}",
                     f"/practices/{practice.code}/popup"):
            assert (await client.get(path)).status == 404, path
    hidden_photo_ids = range(2, 5)  # the approved practice's photo is 1; theirs come after
    for photo_id in hidden_photo_ids:
        assert (await client.get(f"/api/photos/{photo_id}/thumb.jpg")).status == 404
    # Beyond any id a table can hold (PostgreSQL's INTEGER): not found, not a database error.
    assert (await client.get("/api/photos/999999999999/thumb.jpg")).status == 404
    missing = await client.get("/api/practices/MH-2026-999999")
    assert missing.status == 404
    assert (await missing.json()) == {"error": "practice not found"}


async def test_bbox_keeps_practices_inside_and_places_unpinned_ones_in_their_province(
        client, db, services):
    hanoi = await add_practice(db, lat=21.03, lon=105.85)
    saigon_commune = services.units.communes("79")[0]
    saigon = await add_practice(db, lat=10.78, lon=106.70, commune=saigon_commune.code,
                                province="79")
    danang_commune = services.units.communes("48")[0]
    unpinned = await add_practice(db, lat=None, lon=None, commune=danang_commune.code,
                                  province="48")

    assert await codes(client, bbox=HANOI_BBOX) == {hanoi.code}
    assert await codes(client, bbox="106.3,10.3,107.1,11.2") == {saigon.code}
    assert await codes(client, bbox=COUNTRY_BBOX) == {hanoi.code, saigon.code, unpinned.code}
    around_danang = await client.get("/api/practices.geojson",
                                     params={"bbox": "107.5,15.2,108.5,16.2"})
    [feature] = (await around_danang.json())["features"]
    assert feature["properties"] == {"code": unpinned.code, "title": unpinned.title,
                                     "field": "economy", "level": None, "approximate": True}
    lon, lat = feature["geometry"]["coordinates"]
    assert 15.2 < lat < 16.2 and 107.5 < lon < 108.5
    detail = await (await client.get(f"/api/practices/{unpinned.code}")).json()
    assert detail["approximate"] is True and detail["latitude"] is None


async def test_each_filter_selects_the_right_practices(client, db, services):
    saigon_commune = services.units.communes("79")[0].code
    p1 = await add_practice(db, field="economy", commune="00070", province="01",
                            created_at=datetime(2025, 5, 1, tzinfo=UTC), levels=("commune",),
                            title="Đèn năng lượng mặt trời", village="Thôn Yên Phú")
    p2 = await add_practice(db, field="culture_society", commune=saigon_commune, province="79",
                            lat=10.78, lon=106.70, levels=("commune", "province"),
                            title="Tủ sách cộng đồng", submitter_name="Chi đoàn Bình An")
    p3 = await add_practice(db, field="defence_security", commune="00073", province="01",
                            title="Tiếng kẻng an ninh")

    assert await codes(client, field="culture_society") == {p2.code}
    assert await codes(client, level="province") == {p2.code}
    assert await codes(client, level="commune") == {p1.code, p2.code}
    assert await codes(client, level="central") == set()
    assert await codes(client, province="01") == {p1.code, p3.code}
    assert await codes(client, commune="00073") == {p3.code}
    assert await codes(client, year="2025") == {p1.code}
    assert await codes(client, year="2026") == {p2.code, p3.code}
    assert await codes(client, q="kẻng") == {p3.code}
    assert await codes(client, q="TIENG KENG") == {p3.code}  # no diacritics, any case
    assert await codes(client, q="yen phu") == {p1.code}  # the village
    assert await codes(client, q="binh an") == {p2.code}  # the collective
    assert await codes(client, province="01", field="economy", bbox=HANOI_BBOX) == {p1.code}
    levels = {f["properties"]["code"]: f["properties"]["level"] for f in (await (
        await client.get("/api/practices.geojson")).json())["features"]}
    assert levels == {p1.code: "commune", p2.code: "province", p3.code: None}


async def test_the_year_is_counted_in_local_time(client, db):
    new_year_in_hanoi = await add_practice(db, created_at=datetime(2025, 12, 31, 18, tzinfo=UTC))
    assert await codes(client, year="2026") == {new_year_in_hanoi.code}
    assert await codes(client, year="2025") == set()


async def test_a_view_with_more_than_the_limit_is_clustered_on_the_server(client, db):
    for index in range(24):
        await add_practice(db, lat=21.0 + index * 0.001, lon=105.8, title=f"Kẻng số {index}")
    await add_practice(db, lat=10.78, lon=106.70, commune="26734", province="79")
    for params in ({"limit": "10", "zoom": "5"}, {"limit": "10", "zoom": "5", "q": "keng"}):
        body = await (await client.get("/api/practices.geojson", params=params)).json()
        assert body["clustered"] is True
        assert all(f["properties"]["cluster"] for f in body["features"])
        assert sum(f["properties"]["count"] for f in body["features"]) == body["total"]
    assert body["total"] == 24
    single = await (await client.get("/api/practices.geojson", params={"limit": "30"})).json()
    assert single["clustered"] is False and single["total"] == 25


async def test_the_full_practice_has_photos_recognitions_and_consensus(client, db, services):
    practice = await add_practice(db, media=services.media, status="recognised", photos=2,
                                  levels=("commune", "province"), votes=(True, True, False),
                                  non_resident_votes=(True, True))
    detail = await (await client.get(f"/api/practices/{practice.code}")).json()
    assert detail["level"] == "province"
    assert [r["level"] for r in detail["recognitions"]] == ["commune", "province"]
    assert detail["consensus"] == {"votes": 3, "agree": 2, "disagree": 1,
                                   "satisfaction_avg": 4.0}
    assert detail["commune_name"] == "Phường Hoàn Kiếm"
    assert detail["links"]["map"] == f"/?practice={practice.code}"
    assert len(detail["photos"]) == 2
    for size, side in (("thumb_url", 320), ("large_url", 1280)):
        response = await client.get(detail["photos"][0][size])
        assert response.headers["Content-Type"] == "image/jpeg"
        image = Image.open(io.BytesIO(await response.read()))
        assert max(image.size) <= side

    popup_vi = await (await client.get(f"/practices/{practice.code}/popup")).text()
    popup_en = await (await client.get(f"/practices/{practice.code}/popup?lang=en")).text()
    assert "Rõ người" in popup_vi and "Cấp tỉnh" in popup_vi and "2 đồng ý" in popup_vi
    assert "Clear: who" in popup_en and "Province level" in popup_en and "2 agree" in popup_en


async def test_photos_are_served_without_their_metadata(client, db, services):
    """Phones write the GPS position into EXIF; the map must not publish it."""
    image = Image.new("RGB", (200, 150), (120, 160, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    stored = services.media.save_image(buffer.getvalue())
    assert Image.open(services.media.absolute(stored.path)).getexif()  # the original has it
    practice = await add_practice(db, photo_files=(stored,))
    detail = await (await client.get(f"/api/practices/{practice.code}")).json()
    for url in (detail["photos"][0]["thumb_url"], detail["photos"][0]["large_url"]):
        served = Image.open(io.BytesIO(await (await client.get(url)).read()))
        assert served.size == (200, 150) or max(served.size) <= 320
        assert not served.getexif()


@pytest.mark.parametrize("query", [
    "bbox=1,2,3", "bbox=a,b,c,d", "bbox=10,5,9,6", "bbox=0,0,0,nan", "bbox=-200,0,0,1",
    "field=sports", "level=village", "province=99", "province=00070", "commune=01",
    "commune=abc", "year=1800", "year=20x6", "zoom=30", "limit=0", "limit=100000",
    "q=" + "x" * 101,
])
async def test_bad_parameters_are_named_in_a_400(client, query):
    response = await client.get(f"/api/practices.geojson?{query}")
    assert response.status == 400
    body = await response.json()
    assert body["error"] == "bad_parameter" and body["parameter"] == query.split("=")[0]


async def test_provinces_communes_and_the_openapi_description(client):
    provinces = await (await client.get("/api/provinces")).json()
    assert len(provinces) == 34 and provinces[0]["name"] == "Thành phố Hà Nội"
    communes = await (await client.get("/api/provinces/01/communes")).json()
    assert {"code": "00070", "name": "Phường Hoàn Kiếm"} in communes
    assert (await client.get("/api/provinces/99/communes")).status == 404
    document = await (await client.get("/api/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    assert "/api/practices.geojson" in document["paths"]
    assert "PracticePublic" in document["components"]["schemas"]
    assert "submitter_id" not in json.dumps(document)


async def test_the_openapi_description_tells_every_part_of_a_practices_cycle(client):
    document = await (await client.get("/api/openapi.json")).json()
    practice = document["components"]["schemas"]["PracticePublic"]["properties"]
    for part in ("contribution_workdays", "contribution_money_vnd", "contribution_money_words",
                 "contribution_other", "assessments", "consultations", "recognitions",
                 "updates", "level"):
        assert practice[part].get("description"), part
    described = document["info"]["description"]
    for told in ("contributions", "self-assessment", "never their comments",
                 "consultations (counts only)", "recognitions up the levels"):
        assert told in described, told


async def test_units_search_finds_communes_by_their_name_before_2025(client):
    response = await client.get("/api/units/search", params={"q": "Phường Bến Nghé"})
    assert response.status == 200
    [first, *_] = await response.json()
    assert first["name"] == "Phường Sài Gòn" and first["province_code"] == "79"
    assert first["formerly"] == {"name": "Phường Bến Nghé", "district": "Quận 1",
                                 "province": "Thành phố Hồ Chí Minh",
                                 "label": "Phường Bến Nghé, Quận 1"}

    response = await client.get("/api/units/search", params={"q": "thanh xuan"})
    body = await response.json()
    assert (body[0]["name"], body[0]["formerly"]) == ("Phường Thanh Xuân", None)
    response = await client.get("/api/units/search", params={"q": "quan thanh xuan"})
    body = await response.json()
    assert body and all(m["formerly"]["name"] == "Quận Thanh Xuân" for m in body)

    response = await client.get("/api/units/search", params={"q": "ha giang",
                                                             "kind": "province"})
    assert [(m["name"], m["formerly"]["name"]) for m in await response.json()][0] == (
        "Tuyên Quang", "Tỉnh Hà Giang")


@pytest.mark.parametrize("params", [{}, {"q": "x"}, {"q": "x" * 121},
                                    {"q": "ba vi", "kind": "district"}])
async def test_units_search_refuses_bad_parameters(client, params):
    response = await client.get("/api/units/search", params=params)
    assert response.status == 400
    assert (await response.json())["error"] == "bad_parameter"
