""""Nhân rộng": a collective declares it has adopted a practice ("Chúng tôi đã học tập, nhân
rộng"), naming itself and its commune: `/nhanrong MH-…` (`/adopt`), or the button on the
practice's public page (a deep link into Telegram, the web chat's `?nhanrong=`).

The practice's page counts and lists the collectives and their communes (never who declared),
and the map draws the spread. One declaration per person and practice: declaring again
replaces the earlier one. The practice's submitter hears of it. A name is published, so rude
words are refused, as anywhere the public reads what people typed; and the practice's officials
can hide a wrong or abusive declaration (handlers/officials/adoptions.py).
"""

from __future__ import annotations

import re
from typing import Any

from handlers.abuse.profanity import rude_words
from handlers.clock import to_db
from handlers.commands import Command
from handlers.context import Context
from handlers.events import Event, TextEvent
from handlers.forms import FieldSpec, Form, Kind
from handlers.i18n import Translator
from handlers.officials import notices, render
from handlers.replies import Reply, TextReply
from handlers.targeted import TargetedFlow, begin, target_of
from storage.models import PUBLIC_PRACTICE_STATUSES, Practice
from storage.repositories import practice_life, practices, reviews

CODE = re.compile(r"MH-\d{4}-\d{1,12}")
DEEP_LINK_PREFIX = "nr_"

ADOPT_FORM = Form("pr_adopt", (
    FieldSpec("collective_name", Kind.TEXT, max_length=200),
    FieldSpec("commune", Kind.UNIT),
))


async def _refusal(ctx: Context, practice: Practice | None) -> list[Reply] | None:
    if practice is None or practice.status not in PUBLIC_PRACTICE_STATUSES:
        return [TextReply("⚠️ " + ctx.t("pr_adopt.not_found"))]
    if practice.submitter_id == ctx.person.id:
        return [TextReply("ℹ️ " + ctx.t("pr_adopt.own", code=practice.code))]
    return None


async def adopt(ctx: Context, code_text: str) -> list[Reply]:
    found = CODE.search(code_text.upper())
    if found is None:
        return [TextReply(ctx.t("pr_adopt.usage"))]
    practice = await practices.get_by_code(ctx.session, found.group(0))
    if (refused := await _refusal(ctx, practice)) is not None:
        return refused
    assert practice is not None and practice.id is not None
    return await begin(ctx, "pr_adopt", practice.id)


async def from_deep_link(ctx: Context, payload: str) -> list[Reply] | None:
    """`/start nr_MH-2026-000012`: the public page's button, through Telegram."""
    if not payload.startswith(DEEP_LINK_PREFIX):
        return None  # another feature's deep link
    return await adopt(ctx, payload.removeprefix(DEEP_LINK_PREFIX))


async def _intro(ctx: Context, target: int) -> str:
    practice = await reviews.get_practice(ctx.session, target)
    return ctx.t("pr_adopt.intro", code=practice.code if practice else "?",
                 title=render.excerpt(practice.title if practice else "", 120))


async def _declared(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    practice = await reviews.get_practice(ctx.session, target_of(ctx))
    if (refused := await _refusal(ctx, practice)) is not None:
        return refused
    assert practice is not None and practice.id is not None and ctx.person.id is not None
    commune = ctx.units.get(answers["commune"])
    assert commune is not None
    row, replaced = await practice_life.declare_replication(
        ctx.session, practice_id=practice.id, person_id=ctx.person.id,
        collective_name=answers["collective_name"], commune_code=commune.code,
        province_code=commune.province_code, now=to_db(ctx.now))
    if row.hidden_at is not None:  # an official hid it: declaring again does not publish it
        return [TextReply("ℹ️ " + ctx.t("pr_adopt.still_hidden", code=practice.code))]
    count = await practice_life.replication_count(ctx.session, practice.id)

    def build(t: Translator) -> list[Reply]:
        return [TextReply(t("prnotice.adopted", code=practice.code, name=row.collective_name,
                            place=commune.label, count=count))]

    await notices.to_person(ctx, practice.submitter_id,
                            f"nr:{row.id}:{int(replaced)}:{count}:to:{practice.submitter_id}",
                            build)
    key = "pr_adopt.replaced" if replaced else "pr_adopt.done"
    return [TextReply("🌱 " + ctx.t(key, code=practice.code, name=row.collective_name,
                                     place=commune.label, count=count))]


class AdoptFlow(TargetedFlow):
    """The collective's name is published: one with rude words is refused and asked again."""

    async def handle(self, ctx: Context, event: Event) -> list[Reply]:
        if (ctx.conversation.step == "collective_name" and isinstance(event, TextEvent)
                and rude_words(event.text)):
            return await self.reask(ctx, lead="⚠️ " + ctx.t("pr_adopt.rude"))
        return await super().handle(ctx, event)


def build_flow() -> TargetedFlow:
    return AdoptFlow("pr_adopt", ADOPT_FORM, _declared, intro=_intro)


COMMANDS = [Command("adopt", aliases=("nhanrong",), run=adopt)]
DEEP_LINKS = [from_deep_link]
