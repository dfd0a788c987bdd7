"""Rendering a console page: the header every page shows (who is signed in, where) and the
no-store answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.web.console.auth import Desk
from bot.web.templating import render_page
from handlers.officials.inbox import scope_label
from handlers.officials.jurisdiction import official_scope


@dataclass(frozen=True)
class Header:
    name: str
    where: str
    csrf: str


def page(request: web.Request, desk: Desk, template: str, *, status: int = 200,
         **context: Any) -> web.Response:
    scope = official_scope(desk.ctx)
    header = Header(desk.ctx.person.display_name
                    or desk.ctx.t("console.official_no_name", id=desk.ctx.person.id),
                    scope_label(desk.ctx, scope) if scope else "", desk.csrf)
    return render_page(request, template, language=desk.language, status=status,
                       desk=header, **context)
