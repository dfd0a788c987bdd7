"""Voice notes over the Zalo OA: the citizen's `user_send_audio` is kept clean; the OA API sends
no sound (its file upload takes documents), so the official opening the feedback gets a signed
link to a clean AAC copy, which any phone's browser plays, and nothing else opens with it."""

from __future__ import annotations

import re

import aiohttp

from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.support.chat_driver import walk
from tests.support.factories import make_invite
from tests.support.officials import HOAN_KIEM, feedback_walk
from tests.support.voices import assert_clean_voice, voice_note
from tests.zalo_oa.harness import OADriver, ZaloOAChat, running_app


async def test_an_official_on_the_oa_plays_the_voice_note_from_a_signed_link(
        settings, clock, db):
    async with FakeZaloOA(clock) as fake:
        hoa, minh = fake.user("5001", "Hoa"), fake.user("6001", "Minh")
        async with running_app(settings, clock, fake,
                               refresh_token=fake.issue_refresh_token()) as app:
            citizen, official = OADriver(app, fake, hoa), OADriver(app, fake, minh)
            await official.command("moi", await make_invite(db, clock, unit=HOAN_KIEM))
            steps = feedback_walk(photos=0)
            await citizen.command("phananh")
            await walk(ZaloOAChat(citizen), [steps[0]])
            await citizen.voice(voice_note(3, kind="m4a"))
            assert "Đã nhận tin nhắn thoại (0:03)" in citizen.last_text
            await citizen.press("Bỏ qua")
            await walk(ZaloOAChat(citizen), steps[2:])
            await citizen.press("Gửi")
            assert "PA-2026-000001" in citizen.last_text

            await app.outbox.drain()
            notice = minh.last
            shown = await official.press(notice.titles[0])
            [listen] = [m.text for m in shown if m.text and "Nghe:" in m.text]
            assert listen.startswith("🎤 PA-2026-000001 — tin nhắn thoại 1/1 (0:03)")
            link = re.search(r"Nghe: (\S+)", listen).group(1)
            async with aiohttp.ClientSession() as http:
                async with http.get(link) as response:
                    assert response.status == 200 and response.content_type == "audio/mp4"
                    assert_clean_voice(await response.read(), seconds=3, container="mp4")
                forged = link.replace(".m4a", ".ogg")  # another file: the signature refuses
                async with http.get(forged) as response:
                    assert response.status == 403
        assert fake.errors == [], fake.errors
