"""For the press and for sharing (issue 17, item 5): an Atom feed of newly recognised practices
(the whole country, or one province), and the 1200×630 card image a link preview shows when a
practice's page is pasted in Zalo, Facebook or Telegram (its OpenGraph tags are in
templates/practice.html).

Everything here is public and the same for every reader, so a shared cache may keep it.
"""

from __future__ import annotations

import asyncio
import io
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from PIL import Image, ImageDraw, ImageFont, ImageOps

from bot import posters
from bot.web.api import CACHE_LONG, CACHE_SHORT, load_public_practice
from bot.web.keys import DB, SERVICES, SETTINGS
from bot.web.templating import page_language, render_fragment
from handlers.clock import from_db
from handlers.i18n import Translator
from storage.media import MediaUnavailable
from storage.media_copies import BadImage
from storage.repositories import public_feed, public_map
from storage.units import UnitDirectory

FEED_ENTRIES = 50
CARD_SIZE = (1200, 630)
CARD_BAND = (140, 20, 20)  # the movement's red
FIELD_BACKGROUND = (245, 240, 232)


def base_url(request: web.Request) -> str:
    """PUBLIC_BASE_URL, or the address this request came to (a local run)."""
    return (request.app[SETTINGS].web.public_base_url or str(request.url.origin())).rstrip("/")


async def feed(request: web.Request) -> web.Response:
    """`/feed.atom` and `/feed/{province}.atom`: one entry per recognition, newest first.
    (Written from a template: feedgen 1.0 drops the `rel` and `type` of an entry's links, so
    readers could not tell the page from the photo.)"""
    units: UnitDirectory = request.app[SERVICES].units
    province_code = request.match_info.get("province")
    province = units.get(province_code) if province_code else None
    if province_code and (province is None or province.kind != "province"):
        raise web.HTTPNotFound(reason="province not found")
    t = Translator(page_language(request))
    async with request.app[DB].reading() as session:
        items = await public_feed.recent_recognitions(
            session, province_code=province_code, limit=FEED_ENTRIES)
    root = base_url(request)
    entries = []
    for item in items:
        page = f"{root}/practices/{item.code}"
        commune = units.get(item.commune_code)
        where = ", ".join(filter(None, [item.village, commune.label if commune else None]))
        entries.append({
            "id": f"{page}#recognition-{item.recognition_id}",
            "title": f"{item.title} — {t(f'web.level.{item.level}')}",
            "url": page,
            "photo_url": (f"{root}/api/photos/{item.photo_id}/large.jpg"
                          if item.photo_id is not None else None),
            "updated": _rfc3339(item.recognised_at),
            "author": item.collective_name or where or t("web.site.name"),
            "field": item.field, "field_label": t(f"option.field.{item.field}"),
            "summary": f"{where}. {textwrap.shorten(item.description, 400, placeholder='…')}",
        })
    updated = items[0].recognised_at if items else request.app[SERVICES].clock.now()
    head = {
        "self_url": f"{root}{request.path}",
        "map_url": f"{root}/" + (f"?province={province_code}" if province_code else ""),
        "title": (t("web.feed.title_province", province=province.name) if province
                  else t("web.feed.title")),
        "subtitle": t("web.feed.subtitle"), "author": t("web.site.name"),
        "updated": _rfc3339(updated),
    }
    body = render_fragment(request, "feed.atom.xml", language=t.language, feed=head,
                           entries=entries)
    return web.Response(text=body, content_type="application/atom+xml", charset="utf-8",
                        headers={**CACHE_SHORT, "Vary": "Cookie"})


def _rfc3339(moment: datetime) -> str:
    return from_db(moment).astimezone(UTC).isoformat().replace("+00:00", "Z")


async def card_image(request: web.Request) -> web.Response:
    """`/practices/{code}/card.png`: the first photo, cropped to 1200×630, under a band with the
    practice's title and place: what a link preview shows."""
    practice = await load_public_practice(request)
    services, settings = request.app[SERVICES], request.app[SETTINGS]
    photo_path: Path | None = None
    if practice.photos:
        async with request.app[DB].reading() as session:
            found = await public_map.get_public_photo(session, photo_id=practice.photos[0].id)
        if found is not None:
            try:
                photo_path = await asyncio.to_thread(services.media.photo_copy, found.path,
                                                     "large")
            except (FileNotFoundError, BadImage, MediaUnavailable):
                photo_path = None  # the card still shows the title (a refusal is logged)
    try:
        font = posters.find_font(settings.web.poster_font)
    except posters.PosterFontMissing as missing:
        raise web.HTTPServiceUnavailable(reason=str(missing)) from None
    t = Translator(page_language(request))
    place = posters.practice_place(practice, services.units)
    png = await asyncio.to_thread(render_card, title=practice.title, place=place,
                                  site=t("web.site.name"), photo=photo_path, font=font)
    return web.Response(body=png, content_type="image/png",
                        headers={**CACHE_LONG, "Vary": "Cookie"})


def render_card(*, title: str, place: str, site: str, photo: Path | None, font: Path) -> bytes:
    width, height = CARD_SIZE
    if photo is not None:
        with Image.open(photo) as source:
            card = ImageOps.fit(source.convert("RGB"), CARD_SIZE, Image.Resampling.LANCZOS)
    else:
        card = Image.new("RGB", CARD_SIZE, FIELD_BACKGROUND)
    band_top = height - 210
    draw = ImageDraw.Draw(card, "RGBA")
    draw.rectangle((0, band_top, width, height), fill=(*CARD_BAND, 235))
    title_font = ImageFont.truetype(str(font), 46)
    small = ImageFont.truetype(str(font), 28)
    lines = textwrap.wrap(title, width=44)[:2]
    y = band_top + 22
    for line in lines:
        draw.text((40, y), line, font=title_font, fill="white")
        y += 56
    draw.text((40, height - 50), textwrap.shorten(place, 70, placeholder="…"), font=small,
              fill=(255, 235, 220))
    draw.text((width - 40, 30), site, font=small, fill="white", anchor="ra",
              stroke_width=3, stroke_fill=CARD_BAND)
    out = io.BytesIO()
    card.save(out, "PNG", optimize=True)
    return out.getvalue()
