"""Living practices, end to end on Telegram and Zalo Bot (the real adapters against their fakes
over HTTP) and on the public web server: a leader adds an update (text, photos and, on
Telegram, a video) to an approved practice; an official checks and publishes it; the practice's
page shows it as a dated timeline with the video's poster, the video answers range requests
(206), the API carries the timeline; another collective declares it adopted the practice
("nhân rộng") and an official links resolved feedback to it, and the page counts both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.web.metrics import Metrics
from handlers.clock import to_db
from storage.models import (
    Feedback,
    Person,
    PracticeReplication,
    PracticeUpdate,
    PracticeUpdatePhoto,
    PracticeVideo,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.support.channels import People, people_on
from tests.support.chat_driver import ChatDriver, walk
from tests.support.factories import make_invite
from tests.support.officials import THANH_XUAN
from tests.support.practice_walk import COMPLETE_PRACTICE, PHOTOS_DONE
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app
from tests.support.videos import SECRET_WORDS, phone_video
from tests.support.web_app import create_web_app

CODE = "MH-2026-000001"
NEWS = "Tháng 9/2026: thêm 40 hộ tham gia đánh kẻng, lắp 6 đèn đường. Video: https://youtu.be/abc123"


@pytest.fixture(params=["telegram", "zalo_bot", "zalo_oa"])
def channel(request) -> str:  # noqa: ANN001
    return request.param


@pytest.fixture
def people(channel, settings, clock, db, services, engine):  # noqa: ANN001, ANN201
    return lambda: people_on(channel, settings, clock, db, services, engine)


@asynccontextmanager
async def public_site(settings, db, services, engine) -> AsyncIterator[TestClient]:  # noqa: ANN001
    app = create_web_app(settings=settings, db=db, services=services, engine=engine,
                         metrics=Metrics())
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


async def approved_practice(person: People, lan: ChatDriver, minh: ChatDriver, db,  # noqa: ANN001
                            clock) -> None:
    await minh.command("moi", await make_invite(db, clock, unit=THANH_XUAN))
    await lan.open_menu()
    await lan.press("Gửi mô hình")
    await walk(lan, COMPLETE_PRACTICE)
    await lan.press("Gửi")
    assert CODE in lan.last_text, lan.last_text
    await person.settle()
    await minh.command("tracuu", CODE)
    await minh.press("👍 Duyệt")
    assert "Đã duyệt" in minh.last_text, minh.last_text
    await person.settle()


async def test_an_update_with_a_video_is_checked_then_shown_dated_on_the_page(
        channel, people, settings, db, clock, services, engine):  # noqa: ANN001
    async with people() as person:
        lan, minh, hoa = person("Lan"), person("Minh"), person("Hoa")
        await approved_practice(person, lan, minh, db, clock)
        video_delivered = channel != "zalo_bot"  # every channel but Zalo Bot delivers videos

        await hoa.command("capnhat", CODE)  # not hers: refused, kindly
        assert "Chỉ người gửi mô hình hoặc cán bộ phụ trách" in hoa.last_text

        await lan.command("capnhat", CODE)
        assert f"Cập nhật mô hình {CODE}" in lan.last_text
        await lan.text(NEWS)
        if video_delivered:
            assert "video ngắn: tối đa 3 phút, 20 MB" in lan.last_text
        else:
            assert "Zalo không chuyển video cho bot" in lan.last_text
        await lan.photos(1)
        await lan.video(phone_video(3.0), 3)
        if video_delivered:
            assert "🎬 Đã nhận video (0:03)" in lan.last_text, lan.last_text
        else:  # the friendly way round it, the same question again, the photo kept
            assert "Zalo không chuyển video cho bot" in lan.last_text
            assert "Đã có 1/6 ảnh" in lan.last_text
        await lan.press("Xong")
        assert "Kiểm tra lại cập nhật" in lan.last_text
        await lan.press("Gửi")
        assert f"Đã gửi cập nhật cho mô hình {CODE}" in lan.last_text

        async with public_site(settings, db, services, engine) as site:
            page = await (await site.get(f"/practices/{CODE}")).text()
            assert "Tháng 9/2026" not in page  # not before an official's check

            await person.settle()
            notices = await minh.notices()
            assert any(f"Cập nhật mới cho mô hình {CODE}" in n for n in notices), notices
            # The practice's card lists what waits too, so no update is lost with a notice.
            await minh.command("tracuu", CODE)
            day = clock.now().astimezone(services.tz).strftime("%d/%m/%Y")
            await minh.press(f"🗓 Cập nhật chờ xem ({day})")
            assert NEWS.split(" Video")[0] in minh.last_text and "Chờ cán bộ xem" in minh.last_text
            await minh.press("✅ Đăng")
            assert "Đã đăng cập nhật" in minh.last_text
            await person.settle()
            assert any("đã được đăng" in n for n in await lan.notices())

            page = await (await site.get(f"/practices/{CODE}")).text()
            assert "Nhật ký cập nhật" in page and "Tháng 9/2026: thêm 40 hộ" in page
            assert 'href="https://youtu.be/abc123" rel="nofollow noopener ugc"' in page
            body = await (await site.get(f"/api/practices/{CODE}")).json()
            [update] = body["updates"]
            assert update["text"] == NEWS and update["date"].startswith("2026-")
            assert len(update["photos"]) == 1
            photo = await site.get(update["photos"][0]["thumb_url"])
            assert photo.status == 200 and photo.content_type == "image/jpeg"
            if video_delivered:
                video = update["video"]
                assert video["duration_seconds"] == 3 and video["width"] == 320
                assert f'poster="{video["poster_url"]}"' in page
                assert f'<source src="{video["url"]}" type="video/mp4">' in page
                poster = await site.get(video["poster_url"])
                assert poster.status == 200 and (await poster.read())[:2] == b"\xff\xd8"
                whole = await (await site.get(video["url"])).read()
                assert not any(word in whole for word in SECRET_WORDS)
                part = await site.get(video["url"], headers={"Range": "bytes=100-199"})
                assert part.status == 206
                assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
                assert await part.read() == whole[100:200]
            else:
                assert update["video"] is None

    async with db.session() as session:
        [stored] = (await session.exec(select(PracticeUpdate))).all()
        photos = (await session.exec(select(PracticeUpdatePhoto))).all()
        videos = (await session.exec(select(PracticeVideo))).all()
    assert stored.status == "published" and stored.text == NEWS and len(photos) == 1
    assert len(videos) == (1 if video_delivered else 0)
    if video_delivered:
        assert videos[0].update_id == stored.id and videos[0].poster_path.endswith(".jpg")


async def test_adoption_and_resolved_feedback_are_counted_on_the_page(
        people, settings, db, clock, services, engine):  # noqa: ANN001
    async with people() as person:
        lan, minh, hoa = person("Lan"), person("Minh"), person("Hoa")
        await approved_practice(person, lan, minh, db, clock)

        await hoa.command("nhanrong", CODE)
        assert "Chúng tôi đã học tập, nhân rộng mô hình" in hoa.last_text
        await hoa.text("Thôn đồ chó")  # published: rude words are refused, the same question
        assert "từ ngữ lịch sự" in hoa.last_text
        await hoa.text("Thôn Yên Lạc")
        await hoa.text("yen hoa")
        await hoa.press("Phường Yên Hòa, Thành phố Hà Nội")
        await hoa.press("Gửi")
        assert "Đã ghi nhận Thôn Yên Lạc" in hoa.last_text and "1 nơi" in hoa.last_text
        await person.settle()
        assert any("Thôn Yên Lạc" in n and "nhân rộng" in n for n in await lan.notices())

        await lan.command("nhanrong", CODE)  # her own: pointed to /capnhat instead
        assert "là của bạn" in lan.last_text

        feedback_id = await _resolved_feedback(db, clock, services)
        await minh.command("tracuu", f"PA-2026-{feedback_id:06d}")
        await minh.press("🔗 Gắn mô hình đã giúp giải quyết")
        await minh.text("MH-2026-999999")
        assert "Không có mô hình đã duyệt MH-2026-999999" in minh.last_text
        await minh.text(CODE.lower())
        assert f"Đã gắn phản ánh với mô hình {CODE}" in minh.last_text

        async with public_site(settings, db, services, engine) as site:
            page = await (await site.get(f"/practices/{CODE}")).text()
            assert "Đã được nhân rộng ở 1 nơi" in page and "Đã giải quyết 1 phản ánh" in page
            assert "Thôn Yên Lạc — Phường Yên Hòa, Thành phố Hà Nội" in page
            assert "Đèn đường hỏng" not in page  # never the feedback's contents
            assert f"/chat?nhanrong={CODE}" in page
            body = await (await site.get(f"/api/practices/{CODE}")).json()
            assert body["replication_count"] == 1 and body["feedback_resolved"] == 1
            [adopted] = body["replications"]
            assert adopted["collective_name"] == "Thôn Yên Lạc"
            assert adopted["latitude"] is not None and "person_id" not in adopted

    async with db.session() as session:
        [row] = (await session.exec(select(PracticeReplication))).all()
        feedback = await session.get(Feedback, feedback_id)
    assert row.collective_name == "Thôn Yên Lạc" and row.commune_code != THANH_XUAN
    assert feedback is not None and feedback.resolved_by_practice_id == row.practice_id


async def _resolved_feedback(db, clock, services) -> int:  # noqa: ANN001
    """A resolved feedback in the practice's commune (its flow is tested elsewhere)."""
    province = services.units.get(THANH_XUAN).province_code
    async with db.session() as session:
        citizen = Person(display_name="Người dân", created_at=to_db(clock.now()))
        session.add(citizen)
        await session.flush()
        feedback = Feedback(code=None, status="resolved", category="infrastructure",
                            text="Đèn đường hỏng ở ngõ 5", reporter_id=citizen.id,
                            commune_code=THANH_XUAN, province_code=province,
                            assigned_unit_code=THANH_XUAN, assigned_province_code=province,
                            created_at=to_db(clock.now()), updated_at=to_db(clock.now()),
                            resolved_at=to_db(clock.now()), closed_at=to_db(clock.now()))
        session.add(feedback)
        await session.flush()
        feedback.code = f"PA-2026-{feedback.id:06d}"
        await session.commit()
        return int(feedback.id or 0)


@pytest.mark.parametrize("video_max_bytes", [20 * 1024 * 1024, 50 * 1024 * 1024])
async def test_a_telegram_video_over_20_mb_is_refused_kindly_with_a_link_offered(
        video_max_bytes, settings, db, clock):  # noqa: ANN001
    """Over 20 MB the Bot API refuses `getFile` ("file is too big"): refused from the size
    Telegram states (our cap), or from that refusal (a cap set higher); either way the person
    hears the limit and is offered a link, and the question is asked again, nothing lost."""
    relaxed = settings.updated(telegram_per_chat_rate=1000,
                               telegram_global_rate=1000,
                               video_max_bytes=video_max_bytes)
    async with FakeTelegram() as fake, running_app(relaxed, fake, clock) as app:
        lan = TelegramChat(TelegramDriver(app, fake, fake.user(2001, first_name="Lan")))
        await lan.open_menu()
        await lan.press("Gửi mô hình")
        await walk(lan, COMPLETE_PRACTICE[:PHOTOS_DONE])
        big = phone_video(1.0) + bytes(21 * 1024 * 1024)
        await lan.video(big, 40)
        said = lan.last_text
        assert "Video lớn quá" in said and "20 MB" in said and "đường link" in said, said
        assert "Đã có 3/10 ảnh" in said  # the same question, the photos kept
        asked = [c for c in fake.calls_to("getFile")
                 if str(c.params.get("file_id")).startswith("fid-video")]
        assert bool(asked) == (video_max_bytes > 20 * 1024 * 1024)
        await walk(lan, COMPLETE_PRACTICE[PHOTOS_DONE:])
        await lan.press("Gửi")
        assert CODE in lan.last_text
    async with db.session() as session:
        assert (await session.exec(select(PracticeVideo))).all() == []


async def test_only_an_official_of_the_unit_publishes_and_never_their_own(
        settings, db, clock, services, engine):  # noqa: ANN001
    """Buttons can be forged: publishing or hiding an update is checked on the server (an
    official whose jurisdiction covers the practice, not its submitter), and an update of a
    practice no longer public cannot be added."""
    async with people_on("telegram", settings, clock, db, services, engine) as person:
        lan, minh, hoa = person("Lan"), person("Minh"), person("Hoa")
        await approved_practice(person, lan, minh, db, clock)
        await lan.command("capnhat", CODE)
        await lan.text("Thêm 10 hộ tham gia.")
        await lan.press("➡️ Không có ảnh, tiếp tục")
        await lan.press("Gửi")
        async with db.session() as session:
            [update] = (await session.exec(select(PracticeUpdate))).all()
        await hoa.open_menu()
        for forger in (hoa, lan):  # a citizen; the submitter herself
            for action in ("pu_ok", "pu_hide", "pu_open"):
                await forger.driver.press_data(f"a:{action}:{update.id}")  # type: ignore[attr-defined]
                assert forger.last_text.startswith("⛔"), (action, forger.last_text)
        async with db.session() as session:
            assert (await session.get(PracticeUpdate, update.id)).status == "pending"

        await minh.command("capnhat", CODE)  # an official of the unit: published at once
        await minh.text("Phường khen thưởng tổ dân phố số 5.")
        await minh.press("➡️ Không có ảnh, tiếp tục")
        await minh.press("Gửi")
        assert f"Đã đăng cập nhật lên trang của mô hình {CODE}" in minh.last_text
    async with db.session() as session:
        statuses = [u.status for u in (await session.exec(select(PracticeUpdate))).all()]
    assert statuses == ["pending", "published"]
