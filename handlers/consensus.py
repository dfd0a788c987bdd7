"""Citizens' consensus on recognised practices (sự đồng thuận và hài lòng của Nhân dân).

/dongthuan asks which commune, and whether the person lives there (their own declaration),
lists the practices recognised there, and takes one vote per person and practice: agree or
not, and satisfaction 1–5. Voting again changes the vote. Officials see the counts on the
practice card; the public map shows the same counts.

A vote means something only when the bot asked for it: every choice the consultation offers
is recorded in the conversation (`consultation`), and a payload it never offered this person
(a forged button, a guessed web request) does nothing. Only a Telegram or Zalo account votes
(a web chat session only once linked to one with /lienket), and a vote counts only when the
voter declared they live in the practice's commune; that declaration is stored with the vote.
"""

from __future__ import annotations

import logging
from typing import Any

from handlers import consultation_vote
from handlers.clock import to_db
from handlers.commands import Action, Command
from handlers.context import Context
from handlers.forms import FieldSpec, Form, Kind
from handlers.officials import render
from handlers.replies import Option, Reply, TextReply
from handlers.state import Consultation
from handlers.targeted import TargetedFlow
from storage.models import Practice, PracticeStatus, id_of
from storage.repositories import feedback as feedback_repo
from storage.repositories import reviews

log = logging.getLogger(__name__)

YES, NO = "yes", "no"
COMMUNE_FORM = Form("consensus", (FieldSpec("commune", Kind.UNIT),
                                  FieldSpec("resident", Kind.CHOICE, options=(YES, NO))))
MAX_OFFERED = 300  # payloads remembered per consultation: a long list, each practice opened


class ConsensusFlow(TargetedFlow):
    async def prepare(self, ctx: Context, target: int) -> None:
        """Offer the commune whose consultation invited them (one they follow), else the one
        they last sent feedback about."""
        if invited := await consultation_vote.followed_commune_consulting(ctx):
            ctx.draft.suggest = {"commune": invited}
        elif last := await feedback_repo.last_commune_of(ctx.session,
                                                         person_id=id_of(ctx.person)):
            ctx.draft.suggest = {"commune": last}


async def _intro(ctx: Context, target: int) -> str:
    return ctx.t("consensus.intro")


def _offer(ctx: Context, options: list[Option]) -> str:
    """Offer these choices (buttons, or numbered lines) and remember them as offered."""
    consultation = ctx.state.consultation or Consultation()
    consultation.offered = (consultation.offered + [o.value for o in options])[-MAX_OFFERED:]
    ctx.state.consultation = consultation
    return ctx.offer_actions(options)


async def _listed(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    commune = ctx.units.get(answers["commune"])
    assert commune is not None
    resident = answers.get("resident") == YES
    ctx.state.consultation = Consultation(commune=commune.code, resident=resident)
    found = await reviews.recognised_in_commune(ctx.session, commune_code=commune.code)
    consulting, options = await consultation_vote.listed(ctx, commune.code)
    if not found and not consulting:
        return [TextReply(ctx.t("consensus.none", place=commune.label))]
    lines = [*consulting, ""] if consulting else []
    if found:
        lines.append(ctx.t("consensus.list", place=commune.label, count=len(found)))
        lines += [f"{n}. {render.excerpt(p.title, 80)} ({p.code})"
                  for n, p in enumerate(found, 1)]
    if not resident:
        lines += ["", ctx.t("consensus.not_resident", place=commune.label)]
    options += [Option(f"🏅 {render.excerpt(p.title, 40)}", f"cs_pick:{p.id}") for p in found]
    return [TextReply("\n".join(lines), tuple(options), token=_offer(ctx, options))]


async def _offered(ctx: Context, args: list[str], action: str) -> Practice | None:
    """The recognised practice a payload this consultation offered is about; None (and a
    warning in the log) for anything it did not offer this person."""
    payload = ":".join([action, *args])
    offered = ctx.state.consultation.offered if ctx.state.consultation else []
    if payload in offered and args and args[0].isdigit() and len(args[0]) <= 12:
        practice = await reviews.get_practice(ctx.session, int(args[0]))
        if practice is not None and practice.status == PracticeStatus.RECOGNISED:
            return practice
    log.warning("consensus action refused", extra={
        "action": action, "offered": payload in offered, "person_id": ctx.person.id,
        "update_id": ctx.event.update_id})
    return None


def _unavailable(ctx: Context) -> list[Reply]:
    return [TextReply("⚠️ " + ctx.t("consensus.unavailable"))]


def _counts(ctx: Context, counts: reviews.Consensus) -> str:
    return ctx.t("prcard.consensus", agree=counts.agree, disagree=counts.disagree,
                 mean=f"{counts.mean_satisfaction:.1f}", votes=counts.votes)


async def pick(ctx: Context, args: list[str]) -> list[Reply]:
    practice = await _offered(ctx, args, "cs_pick")
    if practice is None:
        return _unavailable(ctx)
    counts = await reviews.consensus_of(ctx.session, id_of(practice))
    mine = await reviews.vote_of(ctx.session, practice_id=id_of(practice),
                                 person_id=id_of(ctx.person))
    lines = [ctx.t("prcard.title", code=practice.code, title=practice.title),
             ctx.t("fbcard.place", place=render.unit_label(ctx, practice.commune_code)),
             "", render.excerpt(practice.description, 800), ""]
    if counts.votes:
        lines.append(_counts(ctx, counts))
    if mine is not None:
        lines.append(ctx.t("consensus.yours", vote=ctx.t(
            "consensus.agree" if mine.agrees else "consensus.disagree"),
            rating=mine.satisfaction))
    if not await consultation_vote.may_vote(ctx):
        lines.append(ctx.t("consensus.needs_app"))
        return [TextReply("\n".join(lines))]
    lines.append(ctx.t("consensus.ask_agree"))
    options = [Option(ctx.t("consensus.agree"), f"cs_vote:{practice.id}:1"),
               Option(ctx.t("consensus.disagree"), f"cs_vote:{practice.id}:0")]
    return [TextReply("\n".join(lines), tuple(options), token=_offer(ctx, options))]


async def vote(ctx: Context, args: list[str]) -> list[Reply]:
    practice = await _offered(ctx, args, "cs_vote")
    if practice is None or not await consultation_vote.may_vote(ctx):
        return _unavailable(ctx)
    options = [Option("⭐" * n, f"cs_sat:{practice.id}:{args[1]}:{n}") for n in range(1, 6)]
    return [TextReply(ctx.t("consensus.ask_satisfaction"), tuple(options),
                      token=_offer(ctx, options))]


async def satisfaction(ctx: Context, args: list[str]) -> list[Reply]:
    practice = await _offered(ctx, args, "cs_sat")
    if practice is None or not await consultation_vote.may_vote(ctx):
        return _unavailable(ctx)
    consultation = ctx.state.consultation
    assert consultation is not None  # _offered found the practice among what it offered
    resident = consultation.resident and consultation.commune == practice.commune_code
    _, changed = await reviews.cast_vote(
        ctx.session, practice_id=id_of(practice), person_id=id_of(ctx.person),
        agrees=args[1] == "1",
        satisfaction=int(args[2]), resident_of=practice.commune_code if resident else None,
        now=to_db(ctx.now))
    # This practice's agree and star buttons are spent; its entry in the list stays offered.
    spent = (f"cs_vote:{practice.id}:", f"cs_sat:{practice.id}:")
    consultation.offered = [p for p in consultation.offered if not p.startswith(spent)]
    ctx.state.actions = {}
    counts = await reviews.consensus_of(ctx.session, id_of(practice))
    text = ctx.t("consensus.changed" if changed else "consensus.thanks", code=practice.code)
    if not resident:
        text += "\n" + ctx.t("consensus.not_counted")
    if counts.votes:
        text += "\n" + _counts(ctx, counts)
    return [TextReply(text)]


def build_flow() -> TargetedFlow:
    return ConsensusFlow("consensus", COMMUNE_FORM, _listed, intro=_intro, confirm=False)


COMMANDS = [Command("consensus", aliases=("dongthuan",), flow="consensus", menu=True)]
ACTIONS = [Action("cs_pick", pick), Action("cs_vote", vote), Action("cs_sat", satisfaction)]
