"""Citizens' consensus on recognised practices (sự đồng thuận và hài lòng của Nhân dân).

/dongthuan asks for the person's commune (the last one they named is offered), lists the
practices recognised there, and takes one vote per person and practice: agree or not, and
satisfaction 1–5. Voting again changes the vote. Officials see the counts on the practice card.
"""

from __future__ import annotations

import logging
from typing import Any

from handlers.clock import to_db
from handlers.commands import Action, Command
from handlers.context import Context
from handlers.forms import FieldSpec, Form, Kind
from handlers.officials import render
from handlers.replies import Option, Reply, TextReply
from handlers.targeted import TargetedFlow
from storage.models import Practice, PracticeStatus
from storage.repositories import feedback as feedback_repo
from storage.repositories import reviews

log = logging.getLogger(__name__)

COMMUNE_FORM = Form("consensus", (FieldSpec("commune", Kind.UNIT),))


class ConsensusFlow(TargetedFlow):
    async def prepare(self, ctx: Context, target: int) -> None:
        if last := await feedback_repo.last_commune_of(ctx.session, person_id=ctx.person.id):
            ctx.state["suggest"] = {"commune": last}


async def _intro(ctx: Context, target: int) -> str:
    return ctx.t("consensus.intro")


async def _listed(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    commune = ctx.units.get(answers["commune"])
    assert commune is not None
    found = await reviews.recognised_in_commune(ctx.session, commune_code=commune.code)
    if not found:
        return [TextReply(ctx.t("consensus.none", place=commune.label))]
    lines = [ctx.t("consensus.list", place=commune.label, count=len(found))]
    lines += [f"{n}. {render.excerpt(p.title, 80)} ({p.code})" for n, p in enumerate(found, 1)]
    options = [Option(f"🏅 {render.excerpt(p.title, 40)}", f"cs_pick:{p.id}") for p in found]
    return [TextReply("\n".join(lines), tuple(options), token=ctx.offer_actions(options))]


async def _recognised(ctx: Context, args: list[str], action: str) -> Practice | None:
    if args and args[0].isdigit() and len(args[0]) <= 12:
        practice = await reviews.get_practice(ctx.session, int(args[0]))
        if practice is not None and practice.status == PracticeStatus.RECOGNISED:
            return practice
    log.warning("consensus action refused", extra={"action": action, "person_id": ctx.person.id,
                                                   "update_id": ctx.event.update_id})
    return None


def _unavailable(ctx: Context) -> list[Reply]:
    return [TextReply("⚠️ " + ctx.t("consensus.unavailable"))]


async def pick(ctx: Context, args: list[str]) -> list[Reply]:
    practice = await _recognised(ctx, args, "cs_pick")
    if practice is None:
        return _unavailable(ctx)
    counts = await reviews.consensus_of(ctx.session, practice.id)
    mine = await reviews.vote_of(ctx.session, practice_id=practice.id, person_id=ctx.person.id)
    lines = [ctx.t("prcard.title", code=practice.code, title=practice.title),
             ctx.t("fbcard.place", place=render.unit_label(ctx, practice.commune_code)),
             "", render.excerpt(practice.description, 800), ""]
    if counts.votes:
        lines.append(ctx.t("prcard.consensus", agree=counts.agree, disagree=counts.disagree,
                           mean=f"{counts.mean_satisfaction:.1f}", votes=counts.votes))
    if mine is not None:
        lines.append(ctx.t("consensus.yours", vote=ctx.t(
            "consensus.agree" if mine.agrees else "consensus.disagree"),
            rating=mine.satisfaction))
    lines.append(ctx.t("consensus.ask_agree"))
    options = [Option(ctx.t("consensus.agree"), f"cs_vote:{practice.id}:1"),
               Option(ctx.t("consensus.disagree"), f"cs_vote:{practice.id}:0")]
    return [TextReply("\n".join(lines), tuple(options), token=ctx.offer_actions(options))]


async def vote(ctx: Context, args: list[str]) -> list[Reply]:
    practice = await _recognised(ctx, args, "cs_vote")
    if practice is None or len(args) != 2 or args[1] not in ("0", "1"):
        return _unavailable(ctx)
    options = [Option("⭐" * n, f"cs_sat:{practice.id}:{args[1]}:{n}") for n in range(1, 6)]
    return [TextReply(ctx.t("consensus.ask_satisfaction"), tuple(options),
                      token=ctx.offer_actions(options))]


async def satisfaction(ctx: Context, args: list[str]) -> list[Reply]:
    practice = await _recognised(ctx, args, "cs_sat")
    valid = (len(args) == 3 and args[1] in ("0", "1") and args[2].isdigit()
             and len(args[2]) == 1 and 1 <= int(args[2]) <= 5)
    if practice is None or not valid:
        return _unavailable(ctx)
    _, changed = await reviews.cast_vote(ctx.session, practice_id=practice.id,
                                         person_id=ctx.person.id, agrees=args[1] == "1",
                                         satisfaction=int(args[2]), now=to_db(ctx.now))
    counts = await reviews.consensus_of(ctx.session, practice.id)
    text = ctx.t("consensus.changed" if changed else "consensus.thanks", code=practice.code)
    text += "\n" + ctx.t("prcard.consensus", agree=counts.agree, disagree=counts.disagree,
                         mean=f"{counts.mean_satisfaction:.1f}", votes=counts.votes)
    return [TextReply(text)]


def build_flow() -> TargetedFlow:
    return ConsensusFlow("consensus", COMMUNE_FORM, _listed, intro=_intro, confirm=False)


COMMANDS = [Command("consensus", aliases=("dongthuan",), flow="consensus", menu=True)]
ACTIONS = [Action("cs_pick", pick), Action("cs_vote", vote), Action("cs_sat", satisfaction)]
