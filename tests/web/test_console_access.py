"""Who gets what from every console route: anonymous, a citizen (even one holding a session
row), an official of another commune, an official of the record's commune, its province, and
the central level. Every request re-checks role and jurisdiction on the server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from storage.models import Level, Person, PracticePhoto, Role
from storage.repositories import console_desk, console_sessions, invites
from tests.support.factories import store_adoption
from tests.support.images import jpeg_bytes
from tests.support.officials import HANOI, HOAN_KIEM, THANH_XUAN, store_practice
from tests.web.console_support import Browser, new_browser, signed_in, store_feedback, unaudited

PERSONAS = ("anonymous", "citizen", "other_unit", "unit", "province", "central")
SIGN_IN, OK, FORBIDDEN = 401, 200, 403
EVERY_OFFICIAL = {"anonymous": SIGN_IN, "citizen": SIGN_IN, "other_unit": OK, "unit": OK,
                  "province": OK, "central": OK}
IN_SCOPE = {**EVERY_OFFICIAL, "other_unit": FORBIDDEN}
BAD_INPUT = {**IN_SCOPE, "unit": 400, "province": 400, "central": 400}
EVERYONE = dict.fromkeys(PERSONAS, OK)
ONLY_PROVINCE = {**IN_SCOPE, "unit": FORBIDDEN, "central": FORBIDDEN}
ONLY_CENTRAL = {**IN_SCOPE, "unit": FORBIDDEN, "province": FORBIDDEN}
UNKNOWN_LINK = "x" * 43

# (method, path, form, expected by persona). {fb}: a feedback of Hoàn Kiếm; {pr}: a practice
# of Hoàn Kiếm; {adoption}: a "nhân rộng" declaration of it; {photo}: the feedback's photo;
# {commune_invite}, {province_invite}: open invites for Hoàn Kiếm and for Hà Nội;
# {commune_official}, {province_official}: officials of Hoàn Kiếm and of Hà Nội who are none of
# the personas. Every route of the app under /console has a row
# (test_the_table_covers_every_console_route).
TABLE = [
    ("GET", "/console", None, EVERY_OFFICIAL),  # to /console/
    ("GET", "/console/login", None, EVERYONE),  # the sign-in page, no data
    ("GET", f"/console/login/{UNKNOWN_LINK}", None, dict.fromkeys(PERSONAS, SIGN_IN)),
    ("POST", f"/console/login/{UNKNOWN_LINK}", {}, dict.fromkeys(PERSONAS, SIGN_IN)),
    ("GET", "/console/static/console.css", None, EVERYONE),
    ("GET", "/console/", None, EVERY_OFFICIAL),
    ("GET", "/console/?kind=practice&q=to", None, EVERY_OFFICIAL),
    ("GET", "/console/templates", None, EVERY_OFFICIAL),
    ("POST", "/console/templates", {"title": "Mẫu", "text": "Cảm ơn."}, EVERY_OFFICIAL),
    ("POST", "/console/bulk", {"action": "ack"}, {**EVERY_OFFICIAL, "other_unit": 400,
                                                  "unit": 400, "province": 400,
                                                  "central": 400}),
    ("GET", "/console/feedback/{fb}", None, IN_SCOPE),
    ("GET", "/console/feedback/{fb}/photos/{photo}.jpg", None, IN_SCOPE),
    ("POST", "/console/feedback/{fb}/note", {"note": "Ghi chú."}, IN_SCOPE),
    ("POST", "/console/feedback/{fb}/assign", {"assignee": "x"}, BAD_INPUT),
    ("POST", "/console/feedback/{fb}/reply", {"answer": ""}, BAD_INPUT),
    ("POST", "/console/feedback/{fb}/reject", {"reason": ""}, BAD_INPUT),
    ("POST", "/console/feedback/{fb}/forward", {"target": "x"}, BAD_INPUT),
    ("POST", "/console/feedback/{fb}/resolve", {"answer": "", "no_proof_reason": ""},
     BAD_INPUT),
    ("GET", "/console/practices/{pr}", None, IN_SCOPE),
    ("POST", "/console/practices/{pr}/note", {"note": "Ghi chú."}, IN_SCOPE),
    ("POST", "/console/practices/{pr}/changes", {"note": "Sửa."}, BAD_INPUT),
    ("POST", "/console/practices/{pr}/reject", {"reason": ""}, BAD_INPUT),
    ("GET", "/console/practices/{pr}/photos/{pr_photo}.jpg", None, IN_SCOPE),
    # Hiding a "nhân rộng" declaration: the first in-scope official does it, the next ones
    # find it hidden already (no refusal); showing it again likewise.
    ("POST", "/console/practices/{pr}/adoptions/{adoption}/hide", {}, IN_SCOPE),
    ("POST", "/console/practices/{pr}/adoptions/{adoption}/show", {}, IN_SCOPE),
    ("POST", "/console/templates/{tpl}/remove", {},
     {**IN_SCOPE, "province": FORBIDDEN, "central": FORBIDDEN}),  # a unit's own only
    ("GET", "/console/map", None, EVERY_OFFICIAL),
    ("GET", "/console/map.json?zoom=9&status=new", None, EVERY_OFFICIAL),
    ("GET", "/console/dashboard?period=2026", None, EVERY_OFFICIAL),
    ("GET", "/console/dashboard/feedback.csv", None, EVERY_OFFICIAL),
    ("GET", "/console/dashboard/report.xlsx?period=6m", None, EVERY_OFFICIAL),
    ("GET", "/console/people", None, EVERY_OFFICIAL),
    ("GET", "/console/dashboard/timings.csv?period=2026", None, EVERY_OFFICIAL),
    ("GET", "/console/people", None, EVERY_OFFICIAL),
    ("POST", "/console/people/invite", {"unit": HOAN_KIEM},  # the link and its QR code
     {**EVERY_OFFICIAL, "other_unit": FORBIDDEN, "unit": FORBIDDEN, "central": 400}),
    ("POST", "/console/people/invite", {"unit": HANOI},
     {**EVERY_OFFICIAL, "other_unit": FORBIDDEN, "unit": FORBIDDEN, "province": 400}),
    ("POST", "/console/people/invites/{commune_invite}/revoke", {}, ONLY_PROVINCE),
    ("POST", "/console/people/invites/{province_invite}/revoke", {}, ONLY_CENTRAL),
    ("POST", "/console/people/{commune_official}/remove", {}, ONLY_PROVINCE),
    ("POST", "/console/people/{province_official}/remove", {}, ONLY_CENTRAL),
    ("POST", "/console/logout", {}, EVERY_OFFICIAL),
]
"""Actions that change a record are sent with input the chat would refuse too (an empty
answer…), so one table can run every persona against the same record; what they do when
valid is in test_console_record.py. The state-changing one-press actions are below."""


@pytest.fixture(autouse=True)
async def _every_action_is_audited(database_url):
    """After each test: every action it made from the console has its audit row."""
    yield
    assert await unaudited(database_url) == []


@pytest.fixture
async def people(client, make_chat, db, clock):
    browsers: dict[str, Browser] = {"anonymous": new_browser(client)}
    made = [("other_unit", THANH_XUAN, "commune"), ("unit", HOAN_KIEM, "commune"),
            ("province", HANOI, "province"), ("central", None, "central")]
    for number, (persona, unit, level) in enumerate(made):
        browsers[persona] = await signed_in(client, make_chat, db, clock,
                                            user_id=800 + number, name=persona, unit=unit,
                                            level=level)
    browsers["citizen"] = await _citizen_with_a_session(client, db, clock)
    yield browsers
    for browser in browsers.values():
        await browser.close()


async def _citizen_with_a_session(client, db, clock) -> Browser:  # noqa: ANN001
    """A citizen holding a session row: what a removed official's old session would be if it
    had survived. The role is checked on every request, so it opens nothing."""
    token = "c" * 43
    async with db.session() as session:
        person = Person(display_name="Dân", created_at=clock.now())
        session.add(person)
        await session.flush()
        await console_sessions.start_session(session, person_id=person.id, token=token,
                                             now=clock.now())
        await session.commit()
    browser = new_browser(client)
    browser.http.cookie_jar.update_cookies({"dvk_console": token})
    return browser


@pytest.fixture
async def records(db, clock, services):
    stored = services.media.save_image(jpeg_bytes())
    feedback = await store_feedback(db, clock, commune=HOAN_KIEM, text="Đèn hỏng.")
    from storage.repositories import feedback as feedback_repo

    async with db.session() as session:
        found = await feedback_repo.get(session, feedback.id)
        await feedback_repo.add_event(
            session, feedback=found, kind="addition", actor_id=None, actor_role="reporter",
            now=clock.now(), text="Thêm ảnh", photos=[{
                "sha256": stored.sha256, "path": stored.path, "mime_type": stored.mime_type,
                "size_bytes": stored.size_bytes, "platform_file_id": None,
                "channel": "web"}])
        [photo] = await feedback_repo.photos_of(session, feedback.id)
        await session.commit()
    practice = await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=990)
    async with db.session() as session:
        practice_photo = PracticePhoto(practice_id=practice, sha256=stored.sha256,
                                       path=stored.path, mime_type=stored.mime_type,
                                       size_bytes=stored.size_bytes, channel="web")
        session.add(practice_photo)
        template = await console_desk.add_template(
            session, unit_code=HOAN_KIEM, title="Mẫu", text="Cảm ơn.", created_by=990,
            now=clock.now())
        made = {}
        for level, unit in ((Level.COMMUNE, HOAN_KIEM), (Level.PROVINCE, HANOI)):
            invite, _ = await invites.create_invite(
                session, role=Role.OFFICIAL, level=level, unit_code=unit,
                expires_at=clock.now() + timedelta(days=7), now=clock.now())
            official = Person(display_name=f"Cán bộ {unit}", role=Role.OFFICIAL, level=level,
                              unit_code=unit, created_at=clock.now())
            session.add(official)
            await session.flush()
            made[f"{level}_invite"], made[f"{level}_official"] = invite.id, official.id
        await session.commit()
    adoption = await store_adoption(db, clock, practice_id=practice, person_id=991,
                                    name="Thôn Yên Lạc", commune=HOAN_KIEM)
    return {"fb": feedback.id, "pr": practice, "photo": photo.id, "adoption": adoption,
            "pr_photo": practice_photo.id, "tpl": template.id, **made}


async def _send(browser: Browser, method: str, path: str, form: dict | None) -> int:
    if method == "GET":
        status, _ = await browser.get(path)
        return status
    data = dict(form or {})
    token = await _csrf_or_none(browser)
    if token:
        data["csrf"] = token
    async with browser.http.post(path, data=data) as response:
        return response.status


async def _csrf_or_none(browser: Browser) -> str | None:
    status, _ = await browser.get("/console/")
    return await browser.csrf() if status == 200 else None


@pytest.mark.parametrize(("method", "path", "form", "expected"), TABLE,
                         ids=[f"{m} {p}" for m, p, _, _ in TABLE])
async def test_every_console_route_by_persona(people, records, method, path, form, expected):
    url = path.format(**records)
    got = {persona: await _send(people[persona], method, url, form) for persona in PERSONAS
           if not (path == "/console/logout" and persona == "unit")}
    wanted = {p: s for p, s in expected.items() if p in got}
    assert got == wanted


ONE_PRESS = [("feedback", "ack"), ("feedback", "progress"), ("practices", "approve"),
             ("practices", "recognise")]


@pytest.mark.parametrize(("kind", "verb"), ONE_PRESS)
@pytest.mark.parametrize("persona", PERSONAS)
async def test_one_press_actions_by_persona(people, records, persona, kind, verb):
    """Only officials whose jurisdiction covers the record change it; the first of them that
    acts does it (then the record has moved on, which is no refusal)."""
    record = records["fb" if kind == "feedback" else "pr"]
    status = await _send(people[persona], "POST", f"/console/{kind}/{record}/{verb}", {})
    expected = IN_SCOPE[persona]
    if expected == OK and verb == "recognise":
        expected = 400  # not approved yet: the chat's own answer
    assert status == expected


async def test_the_table_covers_every_console_route(web_app: web.Application) -> None:
    """Every route the app serves under /console (method and resource, as the router resolves
    them) has a row above: a new route without one fails here."""
    served = {(route.method, route.resource.canonical) for route in web_app.router.routes()
              if route.method != "HEAD" and route.resource is not None
              and route.resource.canonical.startswith("/console")}
    examples = dict.fromkeys(("fb", "pr", "photo", "pr_photo", "tpl", "adoption",
                              "commune_invite", "province_invite", "commune_official",
                              "province_official"), 7)
    rows = [(method, path.format(**examples)) for method, path, _, _ in TABLE]
    rows += [("POST", f"/console/{kind}/7/{verb}") for kind, verb in ONE_PRESS]
    covered = set()
    for method, url in rows:
        match = await web_app.router.resolve(make_mocked_request(method, url, app=web_app))
        assert match.http_exception is None, (method, url)
        covered.add((method, match.route.resource.canonical))
    assert served - covered == set()
    assert len(served) >= 26  # the console as of issue 16
