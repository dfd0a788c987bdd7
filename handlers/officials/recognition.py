"""Recognise an approved practice as điển hình "Dân vận khéo" at the official's own level, for
a year. A practice recognised by its commune can later be recognised by its province too."""

from __future__ import annotations

from datetime import timedelta

from handlers.clock import to_db
from handlers.commands import Action
from handlers.context import Context
from handlers.officials import audit, review
from handlers.officials.jurisdiction import Refused, official_scope, practice_for_official
from handlers.replies import Reply
from storage.models import PracticeEventKind, PracticeStatus, id_of
from storage.repositories import reviews

RECOGNITION_PERIOD = timedelta(days=365)
async def recognise(ctx: Context, args: list[str]) -> list[Reply]:
    practice = await practice_for_official(ctx, args, action="pr_rec")
    if isinstance(practice, Refused):
        return practice.replies
    if practice.status not in review.RECOGNISABLE:
        return await review.card(ctx, practice, lead="⚠️ " + ctx.t("pract.not_approved"))
    if not await review.may_recognise(ctx, practice):
        return await review.card(ctx, practice, lead="⚠️ " + ctx.t("pract.already_recognised"))
    scope = official_scope(ctx)
    assert scope is not None
    now = to_db(ctx.now)
    await reviews.recognise(ctx.session, practice=practice, level=scope.level,
                            unit_code=scope.unit_code, by=id_of(ctx.person), now=now,
                            valid_until=now + RECOGNITION_PERIOD)
    event = await reviews.add_event(ctx.session, practice=practice,
                                    kind=PracticeEventKind.RECOGNISED, actor_id=id_of(ctx.person),
                                    now=now, to_status=PracticeStatus.RECOGNISED)
    await audit.on_practice(ctx, "practice.recognise", practice, detail=str(scope.level))
    await review.notify_leader(ctx, practice, event)
    return await review.card(ctx, practice, lead="🏅 " + ctx.t(
        "pract.recognised", level=ctx.t(f"level.{scope.level}")))


ACTIONS = [Action("pr_rec", recognise)]
