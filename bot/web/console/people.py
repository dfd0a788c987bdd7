"""/console/people: the officials of the jurisdiction and the invites to join it. A province
official invites commune officials of their province, a central admin invites province
officials (the same single-use invite codes as `dvk invite`: only the hash stored, the code
shown once, as a link and a QR code to print); either lists and revokes the invites of their
jurisdiction and removes the role of an official below them (which ends that person's console
sessions). A commune official sees their unit's officials only. Every action is audited."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from aiohttp import web
from markupsafe import Markup

from bot.web.console.auth import Desk
from bot.web.console.views import page
from bot.web.keys import SETTINGS
from handlers.clock import to_db
from handlers.officials import audit
from handlers.officials.jurisdiction import official_scope
from handlers.officials.render import unit_label
from storage.models import Invite, Level, Person, Role
from storage.repositories import invites as invites_repo
from storage.repositories import officials as officials_repo
from storage.repositories.officials import Scope

INVITE_DAYS = 7
BELOW = {Level.CENTRAL: Level.PROVINCE, Level.PROVINCE: Level.COMMUNE}
"""The level an official may invite and remove: the one just below theirs."""


def _scope(desk: Desk) -> Scope:
    scope = official_scope(desk.ctx)
    assert scope is not None  # official_page checked it
    return scope


def _province_of(desk: Desk, code: str | None) -> str | None:
    unit = desk.ctx.units.get(code or "")
    return unit.province_code if unit else None


def _covers_unit(desk: Desk, scope: Scope, level: str | None, code: str | None) -> bool:
    """Whether a unit (of an official or an invite) lies in the jurisdiction."""
    if scope.level == Level.CENTRAL:
        return True
    if scope.level == Level.PROVINCE:
        return code == scope.unit_code or (
            level == Level.COMMUNE and _province_of(desk, code) == scope.unit_code)
    return code == scope.unit_code


def _may_manage(desk: Desk, scope: Scope, level: str | None, code: str | None) -> bool:
    return (level == BELOW.get(Level(scope.level))
            and _covers_unit(desk, scope, level, code))


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _state(invite: Invite, now: datetime) -> str:
    if invite.revoked_at is not None:
        return "revoked"
    if invite.used_at is not None:
        return "used"
    return "expired" if _aware(invite.expires_at) <= now else "open"


def _units_to_invite(desk: Desk, scope: Scope) -> list[tuple[str, str]]:
    if scope.level == Level.PROVINCE:
        return [(u.code, u.label) for u in desk.ctx.units.communes(scope.unit_code or "")]
    if scope.level == Level.CENTRAL:
        return [(u.code, u.label) for u in desk.ctx.units.provinces()]
    return []


async def people_page(request: web.Request, desk: Desk, *, made: dict | None = None,
                      status: int = 200, notice: str | None = None) -> web.Response:
    ctx = desk.ctx
    scope = _scope(desk)
    now = ctx.now
    officials = [(person, _may_manage(desk, scope, person.level, person.unit_code)
                  and person.id != ctx.person.id)
                 for person, _ in await officials_repo.list_officials(ctx.session)
                 if _covers_unit(desk, scope, person.level, person.unit_code)]
    invites = [(invite, _state(invite, now))
               for invite in await invites_repo.list_invites(ctx.session)
               if scope.level != Level.COMMUNE
               and _may_manage(desk, scope, invite.level, invite.unit_code)]
    return page(request, desk, "console/people.html", status=status, officials=officials,
                invites=invites, units=_units_to_invite(desk, scope), made=made,
                notice=notice, label=lambda code: unit_label(ctx, code))


async def people(request: web.Request, desk: Desk) -> web.Response:
    return await people_page(request, desk)


async def invite(request: web.Request, desk: Desk) -> web.Response:
    ctx = desk.ctx
    scope = _scope(desk)
    form = await request.post()
    unit = str(form.get("unit", ""))
    level = BELOW.get(Level(scope.level))
    if level is None or unit not in dict(_units_to_invite(desk, scope)):
        return await people_page(request, desk, status=403 if level is None else 400,
                                 notice=ctx.t("console.people.cannot_invite"))
    now = to_db(ctx.now)
    created, token = await invites_repo.create_invite(
        ctx.session, role=Role.OFFICIAL, level=level, unit_code=unit,
        expires_at=now + timedelta(days=INVITE_DAYS), now=now,
        note=str(form.get("note", ""))[:200] or None)
    await audit.record(ctx, "invite.create", kind="invite", record_id=created.id,
                       unit_code=unit, province_code=_province_of(desk, unit),
                       detail=f"{Role.OFFICIAL} {level}")
    link = _link(request, token)
    return await people_page(request, desk, made={
        "id": created.id, "token": token, "link": link, "where": unit_label(ctx, unit),
        "qr": _qr_svg(link or token)})


def _link(request: web.Request, token: str) -> str | None:
    username = request.app[SETTINGS].telegram_username
    return f"https://t.me/{username}?start={token}" if username else None


def _qr_svg(text: str) -> Markup:
    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(out)
    svg = out.getvalue().decode()
    return Markup(svg[svg.index("<svg"):])  # noqa: S704 - made by qrcode from our own token


async def revoke(request: web.Request, desk: Desk) -> web.Response:
    ctx = desk.ctx
    scope = _scope(desk)
    invite_id = int(request.match_info["item_id"])
    found = [i for i in await invites_repo.list_invites(ctx.session) if i.id == invite_id]
    if not found or not _may_manage(desk, scope, found[0].level, found[0].unit_code):
        return await people_page(request, desk, status=403,
                                 notice=ctx.t("console.people.not_yours"))
    await invites_repo.revoke(ctx.session, invite_id=invite_id, now=to_db(ctx.now))
    await audit.record(ctx, "invite.revoke", kind="invite", record_id=invite_id,
                       unit_code=found[0].unit_code,
                       province_code=_province_of(desk, found[0].unit_code))
    return await people_page(request, desk, notice=ctx.t("console.people.revoked"))


async def remove_role(request: web.Request, desk: Desk) -> web.Response:
    ctx = desk.ctx
    scope = _scope(desk)
    person_id = int(request.match_info["item_id"])
    found = (await officials_repo.people_by_id(ctx.session, [person_id])).get(person_id)
    if (found is None or found.id == ctx.person.id or found.role == Role.CITIZEN
            or not _may_manage(desk, scope, found.level, found.unit_code)):
        return await people_page(request, desk, status=403,
                                 notice=ctx.t("console.people.not_yours"))
    unit = found.unit_code
    removed: Person | None = await officials_repo.remove_official(ctx.session,
                                                                  person_id=person_id)
    await audit.record(ctx, "role.remove", kind="person", record_id=person_id,
                       unit_code=unit, province_code=_province_of(desk, unit))
    assert removed is not None
    return await people_page(request, desk, notice=ctx.t("console.people.removed"))
