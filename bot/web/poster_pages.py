"""Posters and plaques as PDF links (bot/posters.py): a commune's A4 poster for its notice
board, and a practice's A6 plaque, linked from the practice's page and the map's popup.

Both are public: they carry only the bot's own addresses and a public practice's name, so a
shared cache may keep them. Building a PDF takes tens of milliseconds of CPU, so it runs in a
thread, off the event loop that answers chats. The drawing module (reportlab, qrcode) is loaded
at the first PDF asked for, not at start: it costs every worker about 10 MB that most never use.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from bot import posters
from bot.web.api import CACHE_SHORT, load_public_practice
from bot.web.keys import SERVICES, SETTINGS
from bot.web.templating import page_language
from handlers.i18n import Translator

UNIT_CODE = r"\d{2}|\d{5}"


async def unit_poster(request: web.Request) -> web.Response:
    settings, units = request.app[SETTINGS], request.app[SERVICES].units
    unit = units.get(request.match_info["unit"])
    if unit is None:
        raise web.HTTPNotFound(reason="unit not found")
    t = Translator(page_language(request))
    links = posters.channel_links(t, base_url=_base_url(request),
                                  zalo_link=settings.web.zalo_chat_link,
                                  telegram_username=settings.telegram_username)
    from bot import poster_pdf  # at the first PDF, not at start (see above)

    pdf = await asyncio.to_thread(poster_pdf.unit_poster, t, unit_label=unit.label, links=links,
                                  font_path=_font(request))
    return _pdf(pdf, f"poster-{unit.code}.pdf")


async def practice_plaque(request: web.Request) -> web.Response:
    practice = await load_public_practice(request)
    t = Translator(page_language(request))
    from bot import poster_pdf  # at the first PDF, not at start (see above)

    pdf = await asyncio.to_thread(
        poster_pdf.practice_plaque, t, title=practice.title,
        place=posters.practice_place(practice, request.app[SERVICES].units),
        url=posters.practice_url(_base_url(request), practice.code), font_path=_font(request))
    return _pdf(pdf, f"plaque-{practice.code}.pdf")


def _base_url(request: web.Request) -> str:
    """The address printed in the codes: PUBLIC_BASE_URL, or the one this request came to."""
    return request.app[SETTINGS].web.public_base_url or str(request.url.origin())


def _font(request: web.Request) -> Path:
    try:
        return posters.find_font(request.app[SETTINGS].web.poster_font)
    except posters.PosterFontMissing as missing:
        raise web.HTTPServiceUnavailable(reason=str(missing)) from None


def _pdf(body: bytes, filename: str) -> web.Response:
    return web.Response(body=body, content_type="application/pdf", headers={
        **CACHE_SHORT, "Vary": "Cookie",  # the language may come from the cookie
        "Content-Disposition": f'inline; filename="{filename}"'})
