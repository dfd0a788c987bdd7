"""/huong-dan/ (and /guide/ in English): one printable page for each kind of user.

What a guide lists comes from the product itself, so it stays true as the flows change: the
questions from the flow's own form (labels and "optional" from the catalogues), button names
and commands from the catalogues and the registry, and a real conversation from the excerpts
tests/test_transcripts.py writes beside the templates (bot/web/guides/<slug>.json) from the
flows run end to end.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.web.keys import SERVICES, SETTINGS
from bot.web.templating import page_language, render_page
from handlers.flow import FormFlow
from handlers.i18n import Translator

EXCERPTS_DIR = Path(__file__).resolve().parent / "guides"
CORE_COMMANDS = {"back": "quaylai", "cancel": "huy", "help": "trogiup"}
"""The router's own commands (handlers/router.py) and their Vietnamese names."""


@dataclass(frozen=True)
class Guide:
    slug: str
    role: str
    """Catalogue prefix of its texts: guide.<role>.*"""
    flow: str | None
    """The flow whose questions it lists, step by step."""
    menu: str | None
    """The menu button that starts that flow (menu.<name>)."""
    commands: tuple[str, ...]
    channel: str
    """Where its excerpt was recorded."""


GUIDES = (
    Guide("truong-thon-gui-mo-hinh", "leader", "practice", "submit",
          ("submit", "my", "status", "back", "cancel", "help"), "Telegram"),
    Guide("nguoi-dan-phan-anh", "citizen", "feedback", "feedback",
          ("feedback", "status", "consensus", "back", "cancel", "help"), "Telegram"),
    Guide("can-bo-hop-thu", "official", None, None,
          ("invite", "inbox", "stats", "report", "deadlines", "status"), "Telegram"),
)
BY_SLUG = {guide.slug: guide for guide in GUIDES}


def command_name(request: web.Request, name: str, language: str) -> str:
    """How the person types a command: its Vietnamese name in Vietnamese, else its own."""
    if language != "vi":
        return f"/{name}"
    command = request.app[SERVICES].features.commands.get(name)
    aliases = command.aliases if command is not None else (CORE_COMMANDS.get(name, name),)
    return f"/{aliases[0] if aliases else name}"


def command_rows(request: web.Request, guide: Guide, t: Translator) -> list[dict[str, str]]:
    rows = []
    for name in guide.commands:
        described = re.sub(r"\s*\(/[^)]*\)$", "", t(f"command.{name}"))
        rows.append({"command": command_name(request, name, t.language),
                     "other": command_name(request, name, "en" if t.language == "vi" else "vi"),
                     "text": described})
    return rows


def question_rows(request: web.Request, guide: Guide, t: Translator) -> list[dict[str, Any]]:
    """The flow's questions, in order, as its form declares them."""
    if guide.flow is None:
        return []
    flow = request.app[SERVICES].features.flows[guide.flow]
    assert isinstance(flow, FormFlow)
    form = flow.form
    rows = []
    for spec in form.fields:
        notes = []
        if spec.when is not None:
            field, value = spec.when
            notes.append(t("guide.when", option=t(f"option.{field}.{value}")))
        if not spec.required:
            notes.append(t("hint.optional"))
        asks = t(f"{form.name}.{spec.name}.ask").split("\n")[0]
        rows.append({"label": t(f"{form.name}.{spec.name}.label"), "notes": notes,
                     "asks": asks})
    return rows


def placeholders(request: web.Request, guide: Guide, t: Translator) -> dict[str, str]:
    """Every name a guide's sentences may quote, from the catalogues and the registry."""
    names = {key: command_name(request, key, t.language) for key in (
        "submit", "feedback", "status", "my", "back", "cancel", "invite", "inbox", "stats",
        "report", "deadlines", "mydata", "deletemydata", "link", "notify")}
    buttons = {"send": "summary.confirm", "edit": "summary.edit", "optional": "hint.optional",
               "ack": "fbact.ack", "reply": "fbact.reply", "change_status": "fbact.status",
               "forward": "fbact.forward", "approve": "pract.approve",
               "changes": "pract.changes", "recognise": "pract.recognise"}
    values = names | {key: t(catalogue_key) for key, catalogue_key in buttons.items()}
    values["button"] = t(f"menu.{guide.menu}") if guide.menu else ""
    values["command"] = names.get(guide.menu or "", "")
    base = request.app[SETTINGS].web.public_base_url or str(request.url.origin())
    values["chat_url"] = base.rstrip("/") + "/chat"
    return values


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@cache
def excerpt(slug: str) -> dict[str, Any]:
    path = EXCERPTS_DIR / f"{slug}.json"
    if not path.exists():
        return {"source": "", "lines": []}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


async def guides_index(request: web.Request) -> web.Response:
    language = _language(request)
    return render_page(request, "guides.html", language=language, guides=GUIDES,
                       base=_base(request))


async def guide_page(request: web.Request) -> web.Response:
    guide = BY_SLUG.get(request.match_info["slug"])
    if guide is None:
        raise web.HTTPNotFound(text="no such guide")
    language = _language(request)
    t = Translator(language)
    values = placeholders(request, guide, t)
    return render_page(
        request, "guide.html", language=language, guide=guide, base=_base(request),
        where=lines(t("guide.where", **values)),
        before=t(f"guide.{guide.role}.before", **values) if guide.flow else "",
        questions=question_rows(request, guide, t),
        steps=lines(t(f"guide.{guide.role}.steps", **values)),
        commands=command_rows(request, guide, t),
        tips=lines(t(f"guide.{guide.role}.tips", **values)),
        excerpt=excerpt(guide.slug))


def _language(request: web.Request) -> str:
    """/guide/ is English unless ?lang= says otherwise; /huong-dan/ follows the page
    language (?lang=, the cookie, the default)."""
    if request.path.startswith("/guide") and "lang" not in request.query:
        return "en"
    return page_language(request)


def _base(request: web.Request) -> str:
    return "/guide/" if request.path.startswith("/guide") else "/huong-dan/"


def setup_routes(app: web.Application) -> None:
    for base in ("/huong-dan", "/guide"):
        app.router.add_get(f"{base}/", guides_index)
        app.router.add_get(base, guides_index)
        app.router.add_get(base + "/{slug:[a-z-]+}", guide_page)
