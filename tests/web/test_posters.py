"""Posters and plaques (issue 17, item 6): the PDFs are opened as a reader would open them, and
their QR codes are decoded back to the links people will land on."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
import zxingcpp
from aiohttp.test_utils import TestClient, TestServer
from pypdf import PdfReader

from bot.cli import build_parser
from bot.web.metrics import Metrics
from tests.support.web_app import create_web_app
from tests.web.factories import add_practice

BASE = "https://dvk.example.vn"
ZALO = "https://zalo.me/1234567890123456789"


@pytest.fixture
def settings(settings):
    return settings.updated(public_base_url=BASE, zalo_chat_link=ZALO,
                            telegram_bot_username="dvk_test_bot")


def read_pdf(body: bytes) -> tuple[str, list[str], tuple[float, float]]:
    """The page's text, the links its QR codes hold, and its size in mm."""
    page = PdfReader(io.BytesIO(body)).pages[0]
    links = []
    for image in page.images:
        links += [code.text for code in zxingcpp.read_barcodes(image.image)]
    size = (float(page.mediabox.width) / 72 * 25.4, float(page.mediabox.height) / 72 * 25.4)
    return " ".join(page.extract_text().split()), links, size


async def test_a_commune_poster_is_a4_and_its_codes_lead_to_zalo_the_web_chat_and_telegram(
        client) -> None:
    response = await client.get("/posters/00070.pdf")

    assert response.status == 200 and response.content_type == "application/pdf"
    assert "public" in response.headers["Cache-Control"]
    text, links, (width, height) = read_pdf(await response.read())
    assert round(width) == 210 and round(height) == 297
    assert sorted(links) == sorted([ZALO, f"{BASE}/chat", "https://t.me/dvk_test_bot"])
    assert "Phường Hoàn Kiếm" in text and "Góp ý, phản ánh với chính quyền" in text
    assert "mã theo dõi" in text  # the three lines on what to send, in Vietnamese letters


async def test_the_poster_speaks_english_on_request_and_only_offers_channels_that_exist(
        settings, db, services, engine) -> None:
    web_only = settings.updated(zalo_chat_link=None, telegram_bot_username=None)
    app = create_web_app(settings=web_only, db=db, services=services, engine=engine,
                         metrics=Metrics())
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.get("/posters/01.pdf", params={"lang": "en"})
        text, links, _ = read_pdf(await response.read())

    assert "Tell the authorities what needs fixing" in text and "Thành phố Hà Nội" in text
    assert links == [f"{BASE}/chat"]
    assert "Zalo" not in text and "Telegram" not in text


async def test_an_unknown_unit_is_a_404(client) -> None:
    assert (await client.get("/posters/99999.pdf")).status == 404


async def test_a_public_practice_has_a_plaque_whose_code_opens_its_page(client, db) -> None:
    practice = await add_practice(db, title="Đường hoa thôn Đông Hà")
    page = await client.get(f"/practices/{practice.code}")
    assert f'/practices/{practice.code}/plaque.pdf' in await page.text()

    response = await client.get(f"/practices/{practice.code}/plaque.pdf")

    assert response.status == 200
    text, links, (width, height) = read_pdf(await response.read())
    assert links == [f"{BASE}/practices/{practice.code}"]
    assert round(width) == 105 and round(height) == 148  # A6
    assert "Đường hoa thôn Đông Hà" in text and "Phường Hoàn Kiếm" in text


async def test_a_practice_not_yet_public_has_no_plaque(client, db) -> None:
    pending = await add_practice(db, status="pending")
    assert (await client.get(f"/practices/{pending.code}/plaque.pdf")).status == 404


async def test_dvk_poster_writes_the_same_poster_and_needs_the_public_address(
        settings, db, tmp_path: Path, capsys) -> None:
    practice = await add_practice(db, title="Tổ tự quản")
    out = tmp_path / "poster.pdf"
    args = build_parser().parse_args(["poster", "--unit", "00070", "--out", str(out)])
    assert args.run(settings, args) == 0
    _, links, _ = read_pdf(out.read_bytes())
    assert sorted(links) == sorted([ZALO, f"{BASE}/chat", "https://t.me/dvk_test_bot"])

    args = build_parser().parse_args(["poster", "--practice", practice.code or "",
                                      "--out", str(tmp_path / "plaque.pdf")])
    assert await _in_thread(args.run, settings, args) == 0
    assert read_pdf((tmp_path / "plaque.pdf").read_bytes())[1] == [
        f"{BASE}/practices/{practice.code}"]

    no_address = settings.updated(public_base_url=None)
    args = build_parser().parse_args(["poster", "--unit", "00070"])
    assert args.run(no_address, args) == 2
    assert "PUBLIC_BASE_URL" in capsys.readouterr().err

    args = build_parser().parse_args(["poster", "--unit", "00000"])
    assert args.run(settings, args) == 2


async def _in_thread(function, *args):  # noqa: ANN001, ANN202
    """The command runs its own event loop (asyncio.run), as it does from a shell."""
    return await asyncio.to_thread(function, *args)
