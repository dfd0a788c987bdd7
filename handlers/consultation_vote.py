"""Answering a residents' consultation (issue 15, item 3) through /dongthuan, on every channel.

/dongthuan (handlers/consensus.py) asks the commune and whether the person lives there, then
lists the practices whose consultation is open there above the recognised ones. Picking one
(only what the bot offered this person counts: a forged payload does nothing) asks: agree or
not yet, satisfaction 1–5, an optional comment. One answer per person and consultation;
answering again replaces it. It counts only from a Telegram or Zalo account (a web chat once
linked to one) of someone who declared they live in the commune, as the consensus votes do.
"""

from __future__ import annotations

import logging
from typing import Any

from handlers.clock import from_db, to_db
from handlers.commands import Action
from handlers.context import Context
from handlers.forms import FieldSpec, Form, Kind
from handlers.officials import render
from handlers.replies import Option, Reply, TextReply
from handlers.targeted import TargetedFlow, begin, target_of
from storage.models import Channel, Consultation
from storage.repositories import consultations, linking, reviews
from storage.repositories import follows as follows_repo

log = logging.getLogger(__name__)

YES, NO = "yes", "no"
VOTE_FORM = Form("consult_vote", (
    FieldSpec("consult_agree", Kind.CHOICE, options=(YES, NO)),
    FieldSpec("consult_satisfaction", Kind.CHOICE, options=("1", "2", "3", "4", "5")),
    FieldSpec("consult_comment", Kind.TEXT, required=False, max_length=500),
))


VOTING_CHANNELS = (Channel.TELEGRAM, Channel.ZALO_BOT, Channel.ZALO_OA)
"""Accounts a platform vouches for; a web chat session is only a cookie."""


async def may_vote(ctx: Context) -> bool:
    """One person, one vote: only from an account a platform vouches for (a web chat only once
    linked to one). Used by the consensus votes (handlers/consensus.py) and here."""
    accounts = await linking.accounts_of(ctx.session, person_id=_me(ctx))
    return any(a.channel in VOTING_CHANNELS for a in accounts)


async def followed_commune_consulting(ctx: Context) -> str | None:
    """A commune this person follows where a consultation is open: where they were invited."""
    for follow in await follows_repo.of_person(ctx.session, person_id=_me(ctx)):
        if await consultations.open_in_commune(ctx.session, commune_code=follow.unit_code,
                                               now=to_db(ctx.now), limit=1):
            return follow.unit_code
    return None


async def listed(ctx: Context, commune_code: str) -> tuple[list[str], list[Option]]:
    """The open consultations of a commune, as /dongthuan lists them, with their buttons."""
    found = await consultations.open_in_commune(ctx.session, commune_code=commune_code,
                                                now=to_db(ctx.now))
    if not found:
        return [], []
    lines = [ctx.t("consult.list", count=len(found))]
    options = []
    for n, (consultation, practice) in enumerate(found, 1):
        until = ctx.local(from_db(consultation.closes_at)).strftime("%d/%m/%Y")
        lines.append(ctx.t("consult.list_item", n=n, title=render.excerpt(practice.title, 80),
                           code=practice.code, until=until))
        options.append(Option(f"🗳 {render.excerpt(practice.title, 40)}",
                              f"cs_consult:{consultation.id}"))
    return lines, options


async def _open_consultation(ctx: Context, consultation_id: int) -> Consultation | None:
    consultation = await consultations.get(ctx.session, consultation_id)
    if consultation is None or consultation.closed_at is not None \
            or from_db(consultation.closes_at) <= ctx.now:
        return None
    return consultation


async def pick(ctx: Context, args: list[str]) -> list[Reply]:
    """``cs_consult:<id>``: only when /dongthuan offered it to this person."""
    payload = ":".join(["cs_consult", *args])
    offered = ctx.state.consultation.offered if ctx.state.consultation else []
    consultation = None
    if payload in offered and args and args[0].isdigit() and len(args[0]) <= 12:
        consultation = await _open_consultation(ctx, int(args[0]))
    if consultation is None:
        log.warning("consultation pick refused", extra={
            "offered": payload in offered, "person_id": ctx.person.id,
            "update_id": ctx.event.update_id})
        return [TextReply("⚠️ " + ctx.t("consult.closed"))]
    if not await may_vote(ctx):
        return [TextReply(ctx.t("consensus.needs_app"))]
    target = int(args[0])
    return await begin(ctx, "consult_vote", target)


async def _intro(ctx: Context, target: int) -> str:
    consultation = await consultations.get(ctx.session, target)
    practice = await reviews.get_practice(ctx.session, consultation.practice_id) \
        if consultation else None
    if consultation is None or practice is None:
        return ctx.t("consult.closed")
    lines = [ctx.t("consult.vote_intro", code=practice.code, title=practice.title,
                   until=ctx.local(from_db(consultation.closes_at)).strftime("%d/%m/%Y")),
             render.excerpt(practice.description, 600)]
    mine = await consultations.vote_of(ctx.session, consultation_id=target,
                                       person_id=_me(ctx))
    if mine is not None:
        lines.append(ctx.t("consult.yours", vote=ctx.t(
            "consensus.agree" if mine.agrees else "consensus.disagree"),
            rating=mine.satisfaction))
    if not _resident(ctx, consultation):
        lines.append(ctx.t("consensus.not_resident",
                           place=render.unit_label(ctx, consultation.commune_code)))
    return "\n".join(lines)


def _me(ctx: Context) -> int:
    assert ctx.person.id is not None
    return ctx.person.id


def _resident(ctx: Context, consultation: Consultation) -> bool:
    declared = ctx.state.consultation
    return declared is not None and declared.resident \
        and declared.commune == consultation.commune_code


async def _answered(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    consultation = await _open_consultation(ctx, target_of(ctx))
    if consultation is None:
        return [TextReply("⚠️ " + ctx.t("consult.closed"))]
    if not await may_vote(ctx):
        return [TextReply(ctx.t("consensus.needs_app"))]
    resident = _resident(ctx, consultation)
    changed = await consultations.answer(
        ctx.session, consultation=consultation, person_id=_me(ctx),
        agrees=answers["consult_agree"] == YES,
        satisfaction=int(answers["consult_satisfaction"]),
        comment=answers.get("consult_comment"),
        resident_of=consultation.commune_code if resident else None, now=to_db(ctx.now))
    practice = await reviews.get_practice(ctx.session, consultation.practice_id)
    code = practice.code if practice else "?"
    text = ctx.t("consult.changed" if changed else "consult.thanks", code=code)
    if not resident:
        text += "\n" + ctx.t("consensus.not_counted")
    return [TextReply(text)]


def build_flows() -> list[TargetedFlow]:
    return [TargetedFlow("consult_vote", VOTE_FORM, _answered, intro=_intro, confirm=False)]


ACTIONS = [Action("cs_consult", pick)]
