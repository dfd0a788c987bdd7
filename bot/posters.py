"""Printable ways into the bot (issue 17, item 6): an A4 poster for a commune's notice board with
the QR codes of every channel people can use there, and a small plaque for a practice's site
with a QR code to its public page.

Posters hang where people live, so they say in three lines what to send, in large type, and the
QR codes lead to channels that work in Viet Nam (Zalo and the web chat first; Telegram only when
the bot has one). Every sentence comes from the catalogues. The PDF is drawn in
`bot/poster_pdf.py`; the font must carry Vietnamese letters (DejaVu Sans, from the
`fonts-dejavu-core` package, or POSTER_FONT), since reportlab's built-in fonts do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from handlers.i18n import Translator
from storage.public_shapes import PracticePublic
from storage.units import UnitDirectory

# Fonts with every Vietnamese letter, where Debian and the container image put them.
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
)


class PosterFontMissing(RuntimeError):
    """No font with Vietnamese letters: install fonts-dejavu-core, or set POSTER_FONT."""


@dataclass(frozen=True)
class ChannelLink:
    """One way to reach the bot: a label printed under its QR code, and the link in the code."""

    label: str
    url: str


def channel_links(t: Translator, *, base_url: str, zalo_link: str | None,
                  telegram_username: str | None) -> list[ChannelLink]:
    """The channels a poster offers, in the order people in Viet Nam can use them."""
    links = []
    if zalo_link:
        links.append(ChannelLink(t("poster.channel.zalo"), zalo_link))
    links.append(ChannelLink(t("poster.channel.web"), base_url.rstrip("/") + "/chat"))
    if telegram_username:
        links.append(ChannelLink(t("poster.channel.telegram"),
                                 f"https://t.me/{telegram_username}"))
    return links


def practice_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/practices/{code}"


def practice_place(practice: PracticePublic, units: UnitDirectory) -> str:
    """"Thôn Đông Hà, Phường Hoàn Kiếm, Thành phố Hà Nội": where to find the practice."""
    commune = units.get(practice.commune_code)
    parts = [practice.village] if practice.village else []
    parts.append(commune.label if commune else practice.commune_code)
    return ", ".join(parts)


def find_font(configured: Path | None = None) -> Path:
    """The TTF posters are set in: POSTER_FONT when set, else the first installed candidate."""
    for candidate in ((configured,) if configured else FONT_CANDIDATES):
        if candidate.is_file():
            return candidate
    raise PosterFontMissing("no font with Vietnamese letters: install fonts-dejavu-core "
                            "(apt) or set POSTER_FONT to a .ttf file")
