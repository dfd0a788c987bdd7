"""The digital map page ("Bản đồ số mô hình Dân vận khéo"), a practice's permalink page, and the
practice card shown in the map's popups. Every label comes from the .po catalogues."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as default
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.text import shorten
from bot.web import press
from bot.web.api import PRACTICE_CODE, load_public_practice, photo_urls
from bot.web.api_params import PRIORITIES
from bot.web.caching import CACHE_PAGE
from bot.web.keys import DB, EMBEDDABLE, SERVICES, SETTINGS
from bot.web.templating import page_language, render_fragment, render_page
from handlers.clock import from_db
from handlers.i18n import Translator
from handlers.numbers import grouped, in_words
from handlers.practice_form import FIELDS
from storage.models import PRIORITY_TASKS, Level
from storage.province_centres import PROVINCE_CENTRES, VIETNAM_BBOX
from storage.public_shapes import ConsensusPublic, PracticePublic, VideoPublic
from storage.repositories import public_map
from storage.units import UnitDirectory

POPUP_SUMMARY_CHARS = 280
SHARE_SUMMARY_CHARS = 200  # what link previews show of the summary
SIX_CLEAR = ("clear_who", "clear_what", "clear_when", "clear_responsibility", "clear_product",
             "clear_authority")


@dataclass(frozen=True)
class PracticeCard:
    """A public practice with every label resolved, ready for a template."""

    code: str
    title: str
    who: str
    field: str
    field_label: str
    place: str
    approximate: bool
    level: str | None
    level_label: str | None
    summary: str
    six_clear: list[tuple[str, str]]
    people_mobilised: int
    organisations: int | None
    contributions: list[tuple[str, str]]
    """(label, value) of the workdays, money and other contributions declared."""
    results: str
    submitted_at: datetime
    consensus: ConsensusPublic
    photos: list[dict[str, str]]
    hq_photos: list[str]
    """Recognised practices only: photos in high quality for the press."""
    recognitions: list[tuple[str, str, datetime]]
    priority: list[str] = default(default_factory=list)
    """"Ưu tiên" flags in words."""
    consultations: list[str] = default(default_factory=list)
    """Closed residents' consultations: counts and satisfaction only."""
    video: dict[str, Any] | None = None
    """The practice's own video: url, poster_url, length ("0:42"), width, height."""
    updates: list[dict[str, Any]] = default(default_factory=list)
    """The timeline: date, text, photos (thumb_url, large_url), video, oldest first."""
    replications: list[tuple[str, str, datetime]] = default(default_factory=list)
    """(collective, place, date) of those who adopted it, newest first."""
    feedback_resolved: int = 0


def practice_card(practice: PracticePublic, units: UnitDirectory, t: Translator, *,
                  summary_chars: int | None = None) -> PracticeCard:
    kind = practice.submitter_kind
    type_key = "collective_type" if kind == "collective" else "individual_type"
    who = t(f"option.{type_key}.{practice.submitter_type}")
    if practice.collective_name:
        who = f"{practice.collective_name} ({who})"
    places = [practice.village] if practice.village else []
    commune = units.get(practice.commune_code)
    places.append(commune.label if commune else practice.commune_code)
    recognitions = []
    for recognition in practice.recognitions:
        unit = units.get(recognition.unit_code or "")
        detail = [unit.name] if unit else []
        if recognition.year:
            detail.append(str(recognition.year))
        if recognition.decision_number or recognition.decision_date:
            day = recognition.decision_date
            detail.append(t("levels.decision", number=recognition.decision_number or "—",
                            date=day.strftime("%d/%m/%Y") if day else "—"))
        recognitions.append((t(f"web.level.{recognition.level}"), " — ".join(detail),
                             recognition.recognised_at))
    summary = practice.description
    return PracticeCard(
        code=practice.code, title=practice.title, who=who, field=practice.field,
        field_label=t(f"option.field.{practice.field}"), place=", ".join(places),
        approximate=practice.approximate, level=practice.level,
        level_label=t(f"web.level.{practice.level}") if practice.level else None,
        summary=shorten(summary, summary_chars) if summary_chars else summary,
        six_clear=[(t(f"practice.{name}.label"), getattr(practice, name)) for name in SIX_CLEAR],
        people_mobilised=practice.people_mobilised,
        organisations=practice.organisations_taking_part,
        contributions=contributions(practice, t), results=practice.results,
        submitted_at=practice.submitted_at, consensus=practice.consensus,
        photos=[photo_urls(photo.id) for photo in practice.photos],
        hq_photos=([f"/api/photos/{photo.id}/hq.jpg" for photo in practice.photos]
                   if practice.status == "recognised" else []),
        recognitions=recognitions,
        priority=[t(f"option.{name}.{value}") for name, value in (
            ("priority_task", practice.priority_task),
            ("difficult_area", practice.difficult_area)) if value],
        consultations=[t("web.card.consultation", agree=c.agree or 0,
                         disagree=c.disagree or 0, votes=c.votes or 0,
                         avg=c.satisfaction_avg if c.satisfaction_avg is not None else "—")
                       for c in practice.consultations if c.closed_at is not None],
        video=_video(practice.video),
        updates=[{"date": u.date, "text": u.text,
                  "photos": [{"thumb_url": p.thumb_url, "large_url": p.large_url}
                             for p in u.photos], "video": _video(u.video)}
                 for u in practice.updates],
        replications=[(r.collective_name, _commune_label(units, r.commune_code), r.declared_at)
                      for r in practice.replications],
        feedback_resolved=practice.feedback_resolved,
    )


def _video(video: VideoPublic | None) -> dict[str, Any] | None:
    if video is None:
        return None
    seconds = video.duration_seconds
    return {"url": video.url, "poster_url": video.poster_url, "width": video.width,
            "height": video.height, "length": f"{seconds // 60}:{seconds % 60:02d}"}


def _commune_label(units: UnitDirectory, code: str) -> str:
    commune = units.get(code)
    return commune.label if commune else code


def contributions(practice: PracticePublic, t: Translator) -> list[tuple[str, str]]:
    """Workdays, money (with the sum in words) and other contributions, labelled."""
    found = []
    if practice.contribution_workdays is not None:
        found.append((t("practice.contribution_workdays.label"),
                      grouped(practice.contribution_workdays)))
    if practice.contribution_money_vnd is not None:
        found.append((t("practice.contribution_money_vnd.label"),
                      t("money.amount", amount=grouped(practice.contribution_money_vnd),
                        words=in_words(practice.contribution_money_vnd))))
    if practice.contribution_other:
        found.append((t("practice.contribution_other.label"), practice.contribution_other))
    return found


async def map_page(request: web.Request) -> web.Response:
    return await _map(request, embed=False)


async def embed_page(request: web.Request) -> web.Response:
    """`/embed?province=01`: the map alone, for a newspaper's page, in an iframe of any size
    (it fills it), with a credit linking the full map. Only this page may be framed."""
    request[EMBEDDABLE] = True
    return await _map(request, embed=True)


async def _map(request: web.Request, *, embed: bool) -> web.Response:
    language = page_language(request)
    t = Translator(language)
    services, settings = request.app[SERVICES], request.app[SETTINGS]
    async with request.app[DB].reading() as session:
        span = await public_map.submission_span(session)
    now_year = services.clock.now().astimezone(services.tz).year
    first, last = ((from_db(s).astimezone(services.tz).year for s in span) if span
                   else (now_year, now_year))
    provinces = [{"code": u.code, "name": u.name,
                  "bbox": list(PROVINCE_CENTRES[u.code].bbox())}
                 for u in services.units.provinces() if u.code in PROVINCE_CENTRES]
    wanted = request.query.get("practice", "")
    province = request.query.get("province", "")
    config: dict[str, Any] = {
        "lang": language,
        "tileUrl": settings.web.map_tile_url,
        "tileAttribution": settings.web.map_tile_attribution,
        "bounds": list(VIETNAM_BBOX),
        "practice": wanted if re.fullmatch(PRACTICE_CODE, wanted) else None,
        "province": province if any(p["code"] == province for p in provinces) else None,
        "provinces": provinces,
        "text": {key: t(f"web.map.{key}") for key in
                 ("loading", "count", "clustered", "none", "error", "zoom_in", "approximate",
                  "formerly")},
        "allLabel": t("web.filter.all"),
    }
    response = render_page(
        request, "map.html", language=language, config=config, provinces=provinces,
        fields=[(value, t(f"option.field.{value}")) for value in FIELDS],
        levels=[(level.value, t(f"web.level.{level.value}")) for level in Level],
        priorities=[(value, t(f"option.{_priority_kind(value)}.{value}")) for value in PRIORITIES],
        years=list(range(max(first, last), min(first, last) - 1, -1)),
        embed=embed, full_map_url=press.base_url(request) + "/" + (
            f"?province={config['province']}" if config["province"] else ""),
    )
    response.headers.update(CACHE_PAGE)
    return response


def adopt_links(request: web.Request, code: str) -> list[tuple[str, str]]:
    """Where a collective that adopted the practice tells the bot so ("Chúng tôi đã học tập,
    nhân rộng"): the web chat (always), Telegram by a deep link, Zalo by its chat link."""
    settings = request.app[SETTINGS]
    t = Translator(page_language(request))
    links = [(t("web.adopt.web"), f"/chat?nhanrong={code}")]
    if settings.telegram_username:
        links.append((t("web.adopt.telegram"),
                      f"https://t.me/{settings.telegram_username}?start=nr_{code}"))
    if settings.web.zalo_chat_link:
        links.append((t("web.adopt.zalo"), settings.web.zalo_chat_link))
    return links


async def practice_popup(request: web.Request) -> web.Response:
    """The card inside a map popup: server-rendered so its text is translated and escaped."""
    practice = await load_public_practice(request)
    language = page_language(request)
    card = practice_card(practice, request.app[SERVICES].units, Translator(language),
                         summary_chars=POPUP_SUMMARY_CHARS)
    html = render_fragment(request, "practice_card.html", language=language, card=card,
                           full=False)
    return web.Response(text=html, content_type="text/html", headers=CACHE_PAGE)


async def practice_page(request: web.Request) -> web.Response:
    """The permalink of a practice: its whole card on a page of its own, easy to share."""
    practice = await load_public_practice(request)
    language = page_language(request)
    card = practice_card(practice, request.app[SERVICES].units, Translator(language))
    root = press.base_url(request)
    share = {"url": f"{root}/practices/{card.code}",
             "image": f"{root}/practices/{card.code}/card.png?lang={language}",
             "description": shorten(card.summary, SHARE_SUMMARY_CHARS)}
    response = render_page(request, "practice.html", language=language, card=card, full=True,
                           share=share, adopt=adopt_links(request, card.code))
    response.headers.update(CACHE_PAGE)
    return response


def _priority_kind(value: str) -> str:
    return "priority_task" if value in PRIORITY_TASKS else "difficult_area"
