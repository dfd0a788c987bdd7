"""/privacy: the full privacy notice (the one /quyenriengtu shows in the chats), linked from
every page's header."""

from __future__ import annotations

from aiohttp import web

from bot.web.keys import SERVICES
from bot.web.templating import page_language, render_page
from handlers.consent import current_version
from handlers.i18n import Translator


async def privacy_page(request: web.Request) -> web.Response:
    language = page_language(request)
    text = Translator(language)("privacy.full", version=current_version(),
                                days=request.app[SERVICES].retention_days)
    paragraphs = [line for line in text.splitlines() if line.strip()]
    return render_page(request, "privacy.html", language=language, paragraphs=paragraphs)
