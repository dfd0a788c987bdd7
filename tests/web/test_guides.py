"""The printable guides (/huong-dan/, /guide/): each page answers in both languages with its
headings, lists the questions the flow really asks, quotes a real conversation, has a print
stylesheet (A4, large type, no navigation), and is linked from the map, the web chat and the
bot's help."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from bot.web.guides import GUIDES
from handlers.feedback import feedback_form
from handlers.i18n import Translator
from handlers.practice_form import PRACTICE_FORM
from storage.models import Person
from tests.support.factories import make_invite
from tests.support.officials import THANH_XUAN

STATIC = Path(__file__).resolve().parents[2] / "bot" / "web" / "static"
HEADINGS = ["guide.h.where", "guide.h.steps", "guide.h.excerpt", "guide.h.commands",
            "guide.h.tips"]
ADDRESSES = {"vi": ["/huong-dan/{slug}", "/guide/{slug}?lang=vi"],
             "en": ["/huong-dan/{slug}?lang=en", "/guide/{slug}"]}


def text_of(html: str, tag: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m).strip()
            for m in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", html, re.S)]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.slug)
async def test_each_guide_answers_with_its_headings_in_both_languages(client, guide, language):
    t = Translator(language)
    for address in ADDRESSES[language]:
        response = await client.get(address.format(slug=guide.slug))
        assert response.status == 200, address
        html = await response.text()
        assert f'<html lang="{language}">' in html
        assert text_of(html, "h1") == [t(f"guide.{guide.role}.title")]
        assert text_of(html, "h2") == [t(key) for key in HEADINGS]
        assert '<link rel="stylesheet" href="/static/guide.css">' in html


@pytest.mark.parametrize("language", ["vi", "en"])
async def test_the_guides_list_the_questions_the_forms_ask(client, language):
    t = Translator(language)
    practice = await (await client.get(f"/huong-dan/truong-thon-gui-mo-hinh?lang={language}")
                      ).text()
    listed = practice.split('<ol class="questions">')[1].split("</ol>")[0]
    labels = text_of(re.sub(r'<span class="(note|asks)">.*?</span>', "", listed), "li")
    assert labels == [t(f"practice.{spec.name}.label") for spec in PRACTICE_FORM.fields]
    asks = [html.unescape(a) for a in re.findall(r'<span class="asks">(.*?)</span>', listed)]
    assert asks == [t(f"practice.{spec.name}.ask").split("\n")[0]
                    for spec in PRACTICE_FORM.fields]
    notes = re.findall(r'<span class="note">(.*?)</span>', listed)
    optional = [note for note in notes if t("hint.optional") in note]
    assert len(optional) == len([s for s in PRACTICE_FORM.fields if not s.required])
    feedback = html.unescape(
        await (await client.get(f"/huong-dan/nguoi-dan-phan-anh?lang={language}")).text())
    for spec in feedback_form().fields:
        assert t(f"feedback.{spec.name}.label") in feedback
    assert ("/phananh" if language == "vi" else "/feedback") in feedback


async def test_the_guides_quote_real_conversations(client):
    practice = await (await client.get("/huong-dan/truong-thon-gui-mo-hinh")).text()
    assert "Ai gửi mô hình này?" in practice and "Mã tiếp nhận: MH-2026-000001" in practice
    assert "docs/transcripts/telegram-gui-mo-hinh.md" in practice
    feedback = await (await client.get("/huong-dan/nguoi-dan-phan-anh")).text()
    assert "Phản ánh của bạn về vấn đề gì?" in feedback and "PA-2026-000001" in feedback
    official = await (await client.get("/huong-dan/can-bo-hop-thu")).text()
    assert "Hộp thư — Phường Thanh Xuân" in official and "✅ Tiếp nhận" in official


async def test_the_index_links_each_guide_in_both_languages(client):
    for address, language in (("/huong-dan/", "vi"), ("/guide/", "en"),
                              ("/huong-dan/?lang=en", "en")):
        response = await client.get(address)
        assert response.status == 200
        html = await response.text()
        t = Translator(language)
        assert text_of(html, "h1") == [t("guide.index.title")]
        for guide in GUIDES:
            assert t(f"guide.{guide.role}.title") in html
            assert re.search(rf'href="/(huong-dan|guide)/{guide.slug}[?"]', html), guide.slug
    assert (await client.get("/huong-dan/khong-co")).status == 404


def test_the_print_stylesheet_is_a4_in_large_type_without_navigation():
    css = (STATIC / "guide.css").read_text(encoding="utf-8")
    printed = css.split("@media print", 1)[1]
    assert "size: A4" in printed
    sizes = [float(size) for size in re.findall(r"\.guide \{[^}]*font-size: ([\d.]+)pt", printed)]
    assert sizes and min(sizes) >= 11.5, "large type on paper"
    hidden = re.search(r"([^{}]+)\{\s*display: none", printed)
    assert hidden and ".topbar" in hidden.group(1) and ".topnav" in hidden.group(1)


@pytest.mark.parametrize("page", ["/", "/chat", "/privacy"])
async def test_the_map_and_the_web_chat_link_the_guides(client, page):
    html = await (await client.get(page)).text()
    assert '<a href="/huong-dan/" class="nav-guides">Hướng dẫn</a>' in html
    english = await (await client.get(f"{page}?lang=en")).text()
    assert '<a href="/huong-dan/" class="nav-guides">Guides</a>' in english


async def test_the_help_links_the_guides_and_officials_get_theirs(make_chat, services, db, clock):
    assert services.guides_url == "http://127.0.0.1:0/huong-dan/"
    chat = make_chat(user_id=4001)
    await chat.command("trogiup")
    assert "📖 Hướng dẫn từng bước, in được: http://127.0.0.1:0/huong-dan/" in chat.last_text
    assert "can-bo-hop-thu" not in chat.last_text
    await chat.command("help")
    assert "http://127.0.0.1:0/huong-dan/" in chat.last_text

    official = make_chat(user_id=4002, name="Minh")
    await official.command("moi", await make_invite(db, clock, unit=THANH_XUAN))
    await official.command("trogiup")
    assert "http://127.0.0.1:0/huong-dan/can-bo-hop-thu" in official.last_text
    async with db.session() as session:
        people = {p.display_name: p.role for p in (await session.exec(
            __import__("sqlmodel").select(Person))).all()}
    assert people["Minh"] == "official"
