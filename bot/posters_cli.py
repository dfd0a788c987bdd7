"""`dvk poster`: the printable ways into the bot (bot/posters.py) from the command line.

    dvk poster --unit 00070 [--lang en] [--out poster.pdf]    A4 poster for a notice board
    dvk poster --practice MH-2026-000123 [--out plaque.pdf]   A6 plaque for a practice's site

The links in the QR codes start with PUBLIC_BASE_URL (the address people open), so it must be
set; the Zalo code appears when ZALO_CHAT_LINK is set, the Telegram one with
TELEGRAM_BOT_USERNAME.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot import posters
from handlers.i18n import LANGUAGES, Translator
from settings import Settings
from storage.db import Database
from storage.repositories import public_map
from storage.units import UnitDirectory


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("poster", help="a printable A4 poster (unit) or A6 plaque "
                                                  "(practice) with QR codes")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--unit", help="commune or province code, e.g. 00070")
    which.add_argument("--practice", help="a public practice's code, e.g. MH-2026-000123")
    parser.add_argument("--lang", choices=LANGUAGES, default="vi")
    parser.add_argument("--out", type=Path, help="the PDF file to write (default: <code>.pdf)")
    parser.set_defaults(run=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.web.public_base_url:
        print("dvk poster: set PUBLIC_BASE_URL (the address people open) first: the QR codes "
              "lead there", file=sys.stderr)
        return 2
    try:
        font = posters.find_font(settings.web.poster_font)
    except posters.PosterFontMissing as missing:
        print(f"dvk poster: {missing}", file=sys.stderr)
        return 2
    t = Translator(args.lang)
    if args.unit:
        from bot import poster_pdf  # reportlab and qrcode: loaded for this command only


        unit = UnitDirectory.load().get(args.unit)
        if unit is None:
            print(f"dvk poster: no commune or province with code {args.unit}", file=sys.stderr)
            return 2
        links = posters.channel_links(t, base_url=settings.web.public_base_url,
                                      zalo_link=settings.web.zalo_chat_link,
                                      telegram_username=settings.telegram.bot_username)
        pdf = poster_pdf.unit_poster(t, unit_label=unit.label, links=links, font_path=font)
        return _write(args.out or Path(f"poster-{unit.code}.pdf"), pdf)
    plaque = asyncio.run(_plaque(settings, t, args.practice, font))
    if plaque is None:
        print(f"dvk poster: no public practice {args.practice} (only approved or recognised "
              "practices have a page)", file=sys.stderr)
        return 1
    return _write(args.out or Path(f"plaque-{args.practice}.pdf"), plaque)


async def _plaque(settings: Settings, t: Translator, code: str, font: Path) -> bytes | None:
    db = Database(settings.database.url)
    try:
        async with db.reading() as session:
            practice = await public_map.get_public_practice(session, code=code)
    finally:
        await db.dispose()
    if practice is None:
        return None
    assert settings.web.public_base_url
    from bot import poster_pdf  # reportlab and qrcode: loaded for this command only

    return poster_pdf.practice_plaque(
        t, title=practice.title, place=posters.practice_place(practice, UnitDirectory.load()),
        url=posters.practice_url(settings.web.public_base_url, practice.code), font_path=font)


def _write(path: Path, pdf: bytes) -> int:
    path.write_bytes(pdf)
    print(f"{path} written ({len(pdf) // 1024} KB)")
    return 0
