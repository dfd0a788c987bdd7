"""A practice sent through the web chat with a short video: the upload is kept clean (no
metadata) with a poster frame and its length; once approved, the practice's page and its map
popup show it with HTML5 <video> and its poster, the file answers range requests (206), and
headless Chromium plays its metadata (length, size) from our server. Bad videos get a friendly
answer and the same question again, with nothing lost."""

from __future__ import annotations

import pytest
from sqlmodel import select

from handlers.clock import to_db
from storage.models import Practice, PracticeEventKind, PracticeStatus, PracticeVideo
from storage.repositories import reviews
from tests.support.chat_driver import walk
from tests.support.practice_walk import COMPLETE_PRACTICE, PHOTOS_DONE
from tests.support.videos import SECRET_WORDS, phone_video
from tests.web.chat_client import WebChat, WebChatClient
from tests.web.conftest import needs_chromium

CODE = "MH-2026-000001"


async def submit_with_video(client, db, clock) -> WebChatClient:  # noqa: ANN001
    chat = WebChatClient(client)
    await chat.start()
    await chat.press("Gửi mô hình")
    await walk(WebChat(chat), COMPLETE_PRACTICE[:PHOTOS_DONE])  # up to the photos' "Xong"
    await chat.video(b"not a video at all, only bytes" * 40)
    assert "Không xem được video này" in chat.last.text and "Đã có 3/10 ảnh" in chat.last.text
    await chat.video(phone_video(3.0))
    assert "🎬 Đã nhận video (0:03)" in chat.last.text and "Video: 0:03." in chat.last.text
    await walk(WebChat(chat), COMPLETE_PRACTICE[PHOTOS_DONE:])  # "Xong", and what comes next
    assert "Ảnh: 3 ảnh · 🎬 video 0:03" in chat.last.text
    await chat.press("Gửi")
    assert CODE in chat.last.text
    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
        await reviews.add_event(session, practice=practice, kind=PracticeEventKind.APPROVED,
                                actor_id=practice.submitter_id, now=to_db(clock.now()),
                                to_status=PracticeStatus.APPROVED)
        await session.commit()
    return chat


async def test_a_web_chat_video_is_kept_clean_and_served_with_ranges(client, db, clock,
                                                                      services):  # noqa: ANN001
    await submit_with_video(client, db, clock)
    async with db.session() as session:
        [video] = (await session.exec(select(PracticeVideo))).all()
    assert video.update_id is None and video.duration_seconds == 3
    assert (video.width, video.height) == (320, 240) and video.mime_type == "video/mp4"
    kept = services.media.outgoing(video.path).read_bytes()
    assert kept[4:8] == b"ftyp" and not any(word in kept for word in SECRET_WORDS)

    page = await (await client.get(f"/practices/{CODE}")).text()
    url, poster = f"/api/videos/{video.id}.mp4", f"/api/videos/{video.id}/poster.jpg"
    assert f'poster="{poster}"' in page and f'<source src="{url}" type="video/mp4">' in page
    popup = await (await client.get(f"/practices/{CODE}/popup")).text()
    assert f'poster="{poster}"' in popup
    body = await (await client.get(f"/api/practices/{CODE}")).json()
    assert body["video"] == {"id": video.id, "duration_seconds": 3, "width": 320,
                             "height": 240, "url": url, "poster_url": poster}

    whole = await client.get(url)
    assert whole.status == 200 and whole.headers["Accept-Ranges"] == "bytes"
    data = await whole.read()
    assert data == kept
    tail = await client.get(url, headers={"Range": f"bytes={len(data) - 10}-"})
    assert tail.status == 206 and await tail.read() == data[-10:]
    assert tail.headers["Content-Range"] == f"bytes {len(data) - 10}-{len(data) - 1}/{len(data)}"
    image = await client.get(poster)
    assert image.status == 200 and (await image.read())[:2] == b"\xff\xd8"


async def test_a_video_of_a_practice_not_public_is_not_served(client, db, clock):  # noqa: ANN001
    await submit_with_video(client, db, clock)
    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
        practice.status = PracticeStatus.REJECTED
        session.add(practice)
        [video] = (await session.exec(select(PracticeVideo))).all()
        await session.commit()
    assert (await client.get(f"/api/videos/{video.id}.mp4")).status == 404
    assert (await client.get(f"/api/videos/{video.id}/poster.jpg")).status == 404


@needs_chromium
async def test_chromium_shows_the_poster_and_reads_the_video(browser, client, db,
                                                             clock):  # noqa: ANN001
    await submit_with_video(client, db, clock)
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(str(client.make_url(f"/practices/{CODE}")))
    seen = await page.evaluate("""async () => {
        const video = document.querySelector("video.practice-video");
        const poster = new Image();
        poster.src = video.poster;
        await poster.decode();
        video.preload = "metadata";
        const loaded = new Promise((resolve, reject) => {
            video.addEventListener("loadedmetadata", resolve, {once: true});
            video.addEventListener("error", () => reject(String(video.error && video.error.code)),
                                   {once: true});
        });
        video.load();
        await loaded;
        return {poster: [poster.naturalWidth, poster.naturalHeight],
                duration: video.duration, size: [video.videoWidth, video.videoHeight]};
    }""")
    await page.close()
    assert seen["poster"] == [320, 240]
    assert seen["size"] == [320, 240] and seen["duration"] == pytest.approx(3.0, abs=0.2)
    assert errors == []
