"""An official opens a residents' consultation on an approved practice (issue 15, item 3).

"🗳 Lấy ý kiến Nhân dân" on the card asks for how many days (skip: the setting, 14 by
default), opens it, and invites the commune's followers through the outbox (paced, held
through quiet hours, keyed once per person). Anyone answers with /dongthuan
(handlers/consultation_vote.py). The scheduler closes it at its end and keeps the result
(scheduler/consultations.py); the card shows the result, the comments, never who wrote them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from handlers.clock import from_db, to_db
from handlers.commands import Action
from handlers.context import Context
from handlers.forms import FieldSpec, Form, Kind
from handlers.i18n import Translator
from handlers.officials import audit, render, review
from handlers.officials.consultation_view import may_open
from handlers.officials.jurisdiction import Refused, practice_for_official
from handlers.officials.level_rules import practice_id as _pid
from handlers.replies import Reply, TextReply, to_payload
from handlers.targeted import TargetedFlow, begin, target_of
from storage.models import Consultation, Practice
from storage.repositories import consultations, people, reviews

MAX_DAYS = 90


def _me(ctx: Context) -> int:
    assert ctx.person.id is not None
    return ctx.person.id


CONSULT_FORM = Form("pr_consult", (
    FieldSpec("days", Kind.NUMBER, required=False, min_value=1, max_value=MAX_DAYS),))


async def start(ctx: Context, args: list[str]) -> list[Reply]:
    practice = await practice_for_official(ctx, args, action="pr_consult")
    if isinstance(practice, Refused):
        return practice.replies
    if not await may_open(ctx, practice):
        return await review.card(ctx, practice, lead="⚠️ " + ctx.t("consult.cannot_open"))
    return await begin(ctx, "pr_consult", _pid(practice))


async def _intro(ctx: Context, target: int) -> str:
    practice = await reviews.get_practice(ctx.session, target)
    return ctx.t("consult.open_intro", code=practice.code if practice else "?",
                 days=ctx.services.consultation_days)


async def _opened(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    practice = await practice_for_official(ctx, [str(target_of(ctx))], action="pr_consult")
    if isinstance(practice, Refused):
        return practice.replies
    if not await may_open(ctx, practice):
        return await review.card(ctx, practice, lead="⚠️ " + ctx.t("consult.cannot_open"))
    days = answers.get("days") or ctx.services.consultation_days
    now = to_db(ctx.now)
    consultation = await consultations.open_consultation(
        ctx.session, practice=practice, by=_me(ctx), now=now,
        closes_at=now + timedelta(days=days))
    invited = await _invite(ctx, practice, consultation)
    await audit.on_practice(ctx, "practice.consult", practice, detail=f"days={days}")
    until = ctx.local(from_db(consultation.closes_at)).strftime("%d/%m/%Y %H:%M")
    return await review.card(ctx, practice, lead="🗳 " + ctx.t(
        "consult.opened", until=until, invited=invited))


async def _invite(ctx: Context, practice: Practice, consultation: Consultation) -> int:
    followers = await consultations.followers_of_commune(
        ctx.session, commune_code=practice.commune_code)
    place = render.unit_label(ctx, practice.commune_code)
    until = ctx.local(from_db(consultation.closes_at)).strftime("%d/%m/%Y")
    payloads = {}
    for person_id in followers:
        if person_id == _me(ctx):
            continue
        person = await people.get_person(ctx.session, person_id)
        t = Translator(person.language if person else "vi")
        payloads[person_id] = to_payload([TextReply(t(
            "consult.invite", code=practice.code, title=render.excerpt(practice.title, 120),
            place=place, until=until, summary=render.excerpt(practice.description, 300)))])
    return await consultations.queue_invitations(ctx.session, consultation=consultation,
                                                 payloads=payloads, now=to_db(ctx.now))


def build_flows() -> list[TargetedFlow]:
    return [TargetedFlow("pr_consult", CONSULT_FORM, _opened, intro=_intro, confirm=False)]


ACTIONS = [Action("pr_consult", start)]
