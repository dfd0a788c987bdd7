"""HTML pages and fragments: Jinja2 templates, with every sentence from the .po catalogues.

Templates autoescape, so text people typed (titles, village names) can never become markup.
The page language comes from `?lang=` (remembered in a cookie), else the cookie, else the
product's default language.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from bot.web.keys import SETTINGS, TEMPLATES
from handlers.clock import from_db
from handlers.i18n import LANGUAGES, Translator

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
CONSOLE_TEMPLATES_DIR = Path(__file__).resolve().parent / "console" / "templates"
"""The officials' console keeps its pages beside its routes (bot/web/console/)."""
LANG_COOKIE = "dvk_lang"
_YEAR = 365 * 24 * 3600


def environment(tz: ZoneInfo) -> Environment:
    env = Environment(
        loader=FileSystemLoader([TEMPLATES_DIR, CONSOLE_TEMPLATES_DIR]),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local_date"] = lambda value: _local(value, tz).strftime("%d/%m/%Y")
    env.filters["thousands"] = lambda value: f"{int(value):,}".replace(",", ".")
    env.filters["linkify"] = linkify
    return env


_URL = re.compile(r"https?://[^\s<>\"']{3,300}")


def linkify(text: str) -> Markup:
    """Text people typed, escaped, with its web addresses as links (a video too large to
    send is shared as a link): marked as user content, never followed by search engines."""
    parts, last = [], 0
    for found in _URL.finditer(text):
        url = found.group(0).rstrip(".,;:!?)")
        parts.append(escape(text[last:found.start()]))
        parts.append(Markup('<a href="{0}" rel="nofollow noopener ugc" target="_blank">{0}</a>')
                     .format(url))
        last = found.start() + len(url)
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    return from_db(value).astimezone(tz)


def page_language(request: web.Request) -> str:
    default = request.app[SETTINGS].flows.default_language
    for candidate in (request.query.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return default


def other_language(language: str) -> str:
    return "en" if language == "vi" else "vi"


def switch_language_url(request: web.Request, language: str) -> str:
    """This page's URL in another language, keeping its other query parameters."""
    query = dict(request.query)
    query["lang"] = language
    return str(request.rel_url.with_query(query))


def render_fragment(request: web.Request, template: str, *, language: str,
                    **context: Any) -> str:
    env = request.app[TEMPLATES]
    return env.get_template(template).render(t=Translator(language), lang=language, **context)


def render_page(request: web.Request, template: str, *, language: str, status: int = 200,
                **context: Any) -> web.Response:
    body = render_fragment(
        request, template, language=language,
        other_lang=other_language(language),
        switch_url=switch_language_url(request, other_language(language)),
        **context,
    )
    response = web.Response(text=body, content_type="text/html", status=status)
    if request.query.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, language, max_age=_YEAR, samesite="Lax")
    return response
