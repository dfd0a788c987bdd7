"""An official mutes the sender of an abusive feedback for some days, from its card
("🔇 Tạm chặn"), with a reason, and can lift it ("🔊 Bỏ tạm chặn").

The sender is muted by the feedback, never by name: for anonymous feedback the official
mutes someone they never see. The same checks as every other official action apply
(`jurisdiction.feedback_for_official`: an official, the feedback in their jurisdiction, not
their own), and each mute and lift leaves an audit row (the mute's id and the feedback's code,
the days; never the reason or the sender). An official lifts only the mutes set from feedback
in their own jurisdiction. The sender's side is handlers/abuse/muting.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from handlers.clock import to_db
from handlers.commands import Action
from handlers.context import Context
from handlers.forms import FieldSpec, Form, Kind
from handlers.officials import audit
from handlers.officials.feedback_actions import card
from handlers.officials.jurisdiction import Refused, feedback_for_official, official_scope
from handlers.officials.render import when
from handlers.replies import Reply, TextReply
from handlers.targeted import TargetedFlow, begin, target_of
from storage.models import AccountMute, Feedback
from storage.repositories import feedback as feedback_repo
from storage.repositories import mutes as mutes_repo
from storage.repositories import people

MAX_MUTE_DAYS = 90
"""Longer exclusions are not an official's call from a chat."""

MUTE_FORM = Form("fb_mute", (
    FieldSpec("days", Kind.NUMBER, min_value=1, max_value=MAX_MUTE_DAYS),
    FieldSpec("reason", Kind.TEXT, max_length=500),
))


async def start_mute(ctx: Context, args: list[str]) -> list[Reply]:
    """``fb_mute:<id>``: ask for the days and the reason (open or closed feedback alike)."""
    feedback = await feedback_for_official(ctx, args, action="fb_mute")
    if isinstance(feedback, Refused):
        return feedback.replies
    return await begin(ctx, "fb_mute", feedback.id or 0)


async def _muted(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    """Confirmed: re-check the official's right (it may have changed meanwhile), then mute."""
    feedback = await feedback_for_official(ctx, [str(target_of(ctx))], action="fb_mute")
    if isinstance(feedback, Refused):
        return feedback.replies
    sender = await people.get_person(ctx.session, feedback.reporter_id)
    if sender is None:
        return [TextReply("⚠️ " + ctx.t("mute.no_sender"))]
    days = int(answers["days"])
    now = to_db(ctx.now)
    row = await mutes_repo.mute(ctx.session, person=sender, feedback_id=feedback.id,
                                muted_by=ctx.person.id, reason=answers["reason"], now=now,
                                ends_at=now + timedelta(days=days))
    await _audit(ctx, "account.mute", row, feedback, detail=f"days={days}")
    lead = "✅ " + ctx.t("mute.done", code=feedback.code, days=days,
                        until=when(ctx, row.ends_at))
    return await card(ctx, feedback, lead=lead)


async def lift(ctx: Context, args: list[str]) -> list[Reply]:
    """``fb_unmute:<id>``: lift the mutes on this feedback's sender that were set from feedback
    in this official's jurisdiction."""
    feedback = await feedback_for_official(ctx, args, action="fb_unmute")
    if isinstance(feedback, Refused):
        return feedback.replies
    scope = official_scope(ctx)
    assert scope is not None  # feedback_for_official checked it
    now = to_db(ctx.now)
    active = await mutes_repo.active_of(ctx.session, person_id=feedback.reporter_id, now=now)
    ours: list[tuple[AccountMute, Feedback]] = []
    for row in active:
        source = await feedback_repo.get(ctx.session, row.feedback_id or 0)
        if source is not None and scope.covers_feedback(source):
            ours.append((row, source))
    if not ours:
        key = "mute.lift_others" if active else "mute.lift_none"
        return await card(ctx, feedback, lead="⚠️ " + ctx.t(key))
    sender = await people.get_person(ctx.session, feedback.reporter_id)
    assert sender is not None  # it has active mutes
    await mutes_repo.lift(ctx.session, person=sender, mutes=[row for row, _ in ours],
                          lifted_by=ctx.person.id, now=now)
    for row, source in ours:
        await _audit(ctx, "account.unmute", row, source)
    key = "mute.lifted_partly" if sender.muted_until else "mute.lifted"
    return await card(ctx, feedback, lead="✅ " + ctx.t(key, code=feedback.code))


async def _audit(ctx: Context, action: str, row: AccountMute, feedback: Feedback,
                 detail: str | None = None) -> None:
    """Which mute, set from which feedback: the sender stays unnamed, in the log too."""
    await audit.record(ctx, action, kind="mute", record_id=row.id, code=feedback.code,
                       unit_code=feedback.assigned_unit_code,
                       province_code=feedback.assigned_province_code, detail=detail)


async def _intro(ctx: Context, target: int) -> str:
    feedback = await feedback_repo.get(ctx.session, target)
    return ctx.t("fb_mute.intro", code=feedback.code if feedback else "?")


def build_flows() -> list[TargetedFlow]:
    return [TargetedFlow("fb_mute", MUTE_FORM, _muted, intro=_intro)]


ACTIONS = [
    Action("fb_mute", start_mute),
    Action("fb_unmute", lift),
]
