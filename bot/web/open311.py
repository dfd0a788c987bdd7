"""Open311 GeoReport v2 at /open311/v2/: the feedback its senders chose to publish, as open
data, and a way for partner applications to file feedback with an API key.

    GET  discovery.json              where the API is and what it speaks
    GET  services.json               the feedback categories (one service per category)
    GET  services/{code}.json        a category's one extra attribute: `publish`
    GET  requests.json               published feedback (service_request_id, service_code,
                                     start_date, end_date, status; and bbox); newest first
    GET  requests/{id}.json          one published feedback
    POST requests.json               file a feedback: api_key (`dvk apikey create`) required,
                                     rate-limited per key, audited
    GET  media/{photo}.jpg           a photo sent with a published feedback: a clean copy

Only feedback whose sender said yes to "Công khai phản ánh này?" is ever listed, and only as
`storage.public_shapes.FeedbackPublic`: never a name, phone or account (named or anonymous
alike), the place rounded to ~100 m. Contact fields a partner sends (email, first_name,
last_name, phone, device_id, account_id) are ignored, never stored.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.web.api import CACHE_LONG, CACHE_SHORT
from bot.web.forwarded import client_address
from bot.web.keys import DB, ENGINE, OPEN311_LIMITS, SERVICES, SETTINGS
from bot.web.open311_params import (
    NO_STORE,
    REQUEST_ID,
    answers_errors,
    open311_status,
    parse_requests_query,
    refuse,
)
from bot.web.press import base_url
from bot.web.signed_media import BUSY_HEADERS
from handlers.clock import to_db
from handlers.feedback import DEFAULT_CATEGORIES, PUBLISH_NO, PUBLISH_YES
from handlers.i18n import LANGUAGES, Translator
from handlers.officials import notices
from storage.media import MediaUnavailable
from storage.media_copies import BadImage
from storage.models import Feedback, FeedbackStatus
from storage.public_shapes import FeedbackPublic
from storage.repositories import api_keys, audit, public_feedback
from storage.repositories import feedback as feedback_repo

PREFIX = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-04T00:00:00+07:00"
"""When this API last changed (discovery.json)."""
CHANNEL = "open311"
MEDIA_SIZE = "large"


def setup_routes(app: web.Application) -> None:
    add = app.router
    add.add_get(f"{PREFIX}/discovery.json", discovery)
    add.add_get(f"{PREFIX}/services.json", services)
    add.add_get(rf"{PREFIX}/services/{{code:[a-z_]{{1,32}}}}.json", service_definition)
    add.add_get(f"{PREFIX}/requests.json", list_requests)
    add.add_post(f"{PREFIX}/requests.json", create_request)
    add.add_get(f"{PREFIX}/requests/{{id:{REQUEST_ID}}}.json", one_request)
    add.add_get(rf"{PREFIX}/media/{{photo_id:[1-9]\d{{0,11}}}}.jpg", media)


def _translator(request: web.Request) -> Translator:
    """`?lang=en` or Vietnamese: never a cookie, so a shared cache may keep the answer."""
    language = request.query.get("lang", "")
    return Translator(language if language in LANGUAGES else "vi")


def _categories(request: web.Request) -> tuple[str, ...]:
    return request.app[SETTINGS].flows.feedback_categories or DEFAULT_CATEGORIES


def _plain(label: str) -> str:
    """A catalogue label without its leading emoji."""
    return label.split(" ", 1)[1] if label[:1] and not label[:1].isalnum() and " " in label \
        else label


async def discovery(request: web.Request) -> web.Response:
    root = base_url(request)
    body = {"changeset": CHANGESET, "contact": f"{root}/privacy",
            "key_service": "Keys for POST are issued by the operator (dvk apikey create).",
            "endpoints": [{"specification": SPECIFICATION, "url": f"{root}{PREFIX}",
                           "changeset": CHANGESET, "type": "production",
                           "formats": ["application/json"]}]}
    return web.json_response(body, headers=CACHE_LONG)


async def services(request: web.Request) -> web.Response:
    t = _translator(request)
    body = [{"service_code": code, "service_name": _plain(t(f"option.category.{code}")),
             "description": _plain(t(f"option.category.{code}")), "metadata": True,
             "type": "realtime", "keywords": "", "group": t("open311.group")}
            for code in _categories(request)]
    return web.json_response(body, headers=CACHE_LONG)


@answers_errors
async def service_definition(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    if code not in _categories(request):
        refuse(404, "service_code not found (see services.json)")
    t = _translator(request)
    attribute = {"variable": True, "code": "publish", "datatype": "singlevaluelist",
                 "required": False, "datatype_description": t("open311.publish_values"),
                 "order": 1, "description": t("feedback.publish.ask"),
                 "values": [{"key": value, "name": _plain(t(f"option.publish.{value}"))}
                            for value in (PUBLISH_NO, PUBLISH_YES)]}
    return web.json_response({"service_code": code, "attributes": [attribute]},
                             headers=CACHE_LONG)


def _moment(instant: datetime, request: web.Request) -> str:
    tz = request.app[SERVICES].tz
    return instant.astimezone(tz).isoformat(timespec="seconds")


def _request_body(request: web.Request, item: FeedbackPublic, t: Translator) -> dict[str, Any]:
    units, root = request.app[SERVICES].units, base_url(request)
    commune, agency = units.get(item.commune_code), units.get(item.assigned_unit_code)
    return {
        "service_request_id": item.code, "status": open311_status(item.status),
        "status_notes": None, "service_name": _plain(t(f"option.category.{item.category}")),
        "service_code": item.category, "description": item.text,
        "agency_responsible": agency.label if agency else None, "service_notice": None,
        "requested_datetime": _moment(item.created_at, request),
        "updated_datetime": _moment(item.updated_at, request), "expected_datetime": None,
        "address": commune.label if commune else None, "address_id": item.commune_code,
        "zipcode": None, "lat": item.latitude, "long": item.longitude,
        "media_url": f"{root}{PREFIX}/media/{item.photo_ids[0]}.jpg" if item.photo_ids
        else None,
    }


@answers_errors
async def list_requests(request: web.Request) -> web.Response:
    services_ = request.app[SERVICES]
    filters = parse_requests_query(request.query, categories=_categories(request),
                                   tz=services_.tz, now=services_.clock.now())
    async with request.app[DB].reading() as session:
        found = await public_feedback.list_published(session, filters=filters)
    t = _translator(request)
    return web.json_response([_request_body(request, item, t) for item in found],
                             headers=CACHE_SHORT)


@answers_errors
async def one_request(request: web.Request) -> web.Response:
    async with request.app[DB].reading() as session:
        found = await public_feedback.get_published(session, code=request.match_info["id"])
    if found is None:  # unpublished or unknown alike: nothing says which
        refuse(404, "service_request_id not found")
    return web.json_response([_request_body(request, found, _translator(request))],
                             headers=CACHE_SHORT)


async def media(request: web.Request) -> web.StreamResponse:
    async with request.app[DB].reading() as session:
        found = await public_feedback.get_published_photo(
            session, photo_id=int(request.match_info["photo_id"]))
    if found is None:
        raise web.HTTPNotFound(reason="photo not found")
    try:  # a clean copy (re-encoded, no metadata), never the original
        path = await asyncio.to_thread(request.app[SERVICES].media.photo_copy, found.path,
                                       MEDIA_SIZE)
    except (FileNotFoundError, BadImage):
        raise web.HTTPNotFound(reason="photo file missing") from None
    except MediaUnavailable:
        raise web.HTTPServiceUnavailable(headers=BUSY_HEADERS) from None
    return web.FileResponse(path, headers={**CACHE_LONG, "Content-Type": "image/jpeg"})


# -- POST: a partner application files a feedback ----------------------------------------------


def _commune_code(request: web.Request, form: Any) -> str:
    units = request.app[SERVICES].units
    code = str(form.get("address_id", "")).strip()
    if code:
        unit = units.get(code)
        if unit is None or unit.kind != "commune":
            refuse(400, "address_id: not a commune code (see /api/units/search?q=)")
        return code
    text = str(form.get("address_string", "")).strip()
    if not 2 <= len(text) <= 120:
        refuse(400, "address_id (a commune code) or address_string (a commune's name) "
                    "is required")
    matches = units.search_matches(text, kind="commune", limit=2)
    if len(matches) != 1:
        refuse(400, f"address_string matches {len(matches) or 'no'} commune(s); "
                    "send address_id (see /api/units/search?q=)")
    return matches[0].unit.code


def _place(form: Any) -> tuple[float | None, float | None]:
    lat, lon = str(form.get("lat", "")).strip(), str(form.get("long", "")).strip()
    if not lat and not lon:
        return None, None
    try:
        latitude, longitude = float(lat), float(lon)
    except ValueError:
        refuse(400, "lat and long: expected numbers (WGS 84 degrees)")
    if not (8.0 <= latitude <= 24.0 and 102.0 <= longitude <= 118.0):
        refuse(400, "lat and long: outside Viet Nam")
    return latitude, longitude


@answers_errors
async def create_request(request: web.Request) -> web.Response:
    form = await request.post() if request.can_read_body else {}
    key = str(form.get("api_key") or request.query.get("api_key") or "")
    limits = request.app[OPEN311_LIMITS]
    address = client_address(request, request.app[SETTINGS].web.trusted_proxies)
    if not limits.fits(f"address:{address}"):
        refuse(429, "too many refused keys from this address; try again later",
               {"Retry-After": "60"})
    if not key:
        limits.allow(f"address:{address}")
        refuse(403, "api_key is required to file a service request")
    services_ = request.app[SERVICES]
    now = to_db(services_.clock.now())
    async with request.app[DB].session() as session:
        api_key = await api_keys.find_active(session, key=key)
        if api_key is None:
            limits.allow(f"address:{address}")
            refuse(403, "api_key is not valid")
        if not limits.allow(f"key:{api_key.id}"):
            refuse(429, "too many service requests with this api_key; try again later",
                   {"Retry-After": "60"})
        feedback = _new_feedback(request, form, api_key.person_id, now)
        stored = await feedback_repo.create_feedback(
            session, feedback=feedback, photos=[], year=now.astimezone(services_.tz).year)
        await notices.queue_new_feedback_without_chat(session, services_.units, stored, now)
        await api_keys.mark_used(session, api_key=api_key, now=now)
        await audit.append(session, at=now, actor_id=api_key.person_id, actor_role="partner",
                           action="open311.create", record_kind="feedback",
                           record_id=stored.id, record_code=stored.code,
                           unit_code=stored.commune_code, province_code=stored.province_code,
                           channel=CHANNEL, detail=f"api key {api_key.id}")
        await session.commit()
    wake_outbox = request.app[ENGINE].on_notices
    if wake_outbox is not None:  # this worker's sender; others hear the NOTIFY (PostgreSQL)
        wake_outbox()
    t = _translator(request)
    return web.json_response([{"service_request_id": stored.code,
                               "service_notice": t("open311.notice", code=stored.code),
                               "account_id": None}], headers=NO_STORE)


def _new_feedback(request: web.Request, form: Any, person_id: int, now: datetime) -> Feedback:
    category = str(form.get("service_code", "")).strip()
    if category not in _categories(request):
        refuse(400, "service_code: unknown (see services.json)")
    text = str(form.get("description", "")).strip()
    if not 1 <= len(text) <= 2000:
        refuse(400, "description: 1 to 2000 characters are required")
    publish = str(form.get("attribute[publish]", PUBLISH_NO)).strip() or PUBLISH_NO
    if publish not in (PUBLISH_NO, PUBLISH_YES):
        refuse(400, "attribute[publish]: expected no or yes")
    commune = request.app[SERVICES].units.get(_commune_code(request, form))
    assert commune is not None
    latitude, longitude = _place(form)
    return Feedback(
        status=FeedbackStatus.NEW, category=category, text=text, reporter_id=person_id,
        anonymous=True, commune_code=commune.code, province_code=commune.province_code,
        assigned_unit_code=commune.code, assigned_province_code=commune.province_code,
        latitude=latitude, longitude=longitude, publish=publish == PUBLISH_YES,
        created_at=now, updated_at=now)
