"""Before a feedback is sent: has someone already reported this? (FixMyStreet shows nearby
reports before a new one, so one pothole is not reported forty times.)

When the summary is confirmed, open feedback of the same category from the last 30 days is
looked up: pinned within `DUPLICATE_RADIUS_M` of this one's pin or, where a pin is missing, in
the same commune with a similar text (storage/repositories/duplicates.py). Up to three are
shown with their code, category, a short text and the distance, never who sent them. The person
may follow one instead ("Đúng, theo dõi phản ánh này": they are told of its status changes like
its sender, and their draft is discarded) or send theirs ("Không, gửi phản ánh mới").
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from handlers import fields, places
from handlers.clock import to_db
from handlers.context import Context
from handlers.events import Event
from handlers.flow import reset_state
from handlers.officials import render
from handlers.replies import Option, Reply, TextReply
from handlers.state import FeedbackDraft, Scratch
from storage.models import Feedback, id_of, is_open
from storage.repositories import duplicates as duplicates_repo
from storage.repositories import feedback as feedback_repo
from storage.repositories import followers as followers_repo

STEP = "__duplicates__"
FOLLOW = "dup_follow:"
SEND_NEW = "__send_new__"
WINDOW = timedelta(days=30)
SHOWN = 3
_METRES_PER_DEGREE = 111_320.0

Send = Callable[[], Awaitable[list[Reply]]]
Back = Callable[[str | None], list[Reply]]


@dataclass(frozen=True)
class Match:
    feedback: Feedback
    metres: float | None
    """From this feedback's pin; None when one of the two has no pin (same commune)."""


async def find(ctx: Context, answers: dict[str, Any]) -> list[Match]:
    """Open feedback that may be this one, nearest (then most alike) first, at most `SHOWN`."""
    matches = await similar_open(
        ctx, category=answers["category"], commune_code=answers["commune"],
        text=answers["text"], location=answers.get("location") or None,
        person_id=ctx.person.id or 0)
    return matches[:SHOWN]


async def similar_open(ctx: Context, *, category: str, commune_code: str, text: str,
                       location: dict[str, Any] | None, person_id: int) -> list[Match]:
    """Every open feedback of the last `WINDOW` that may be the same problem (none `person_id`
    sent or follows): pinned within the radius, nearest first, then (where a pin is missing)
    those of the commune with a similar text, most alike first."""
    since = to_db(ctx.now - WINDOW)
    matches: list[Match] = []
    if location:
        here = (location["lat"], location["lon"])
        radius = ctx.services.duplicate_radius_m
        near = await duplicates_repo.pinned_within(
            ctx.session, box=_box(here, radius), category=category, since=since,
            person_id=person_id)
        for feedback in near:
            assert feedback.latitude is not None and feedback.longitude is not None
            metres = places.distance_km(here, (feedback.latitude, feedback.longitude)) * 1000
            if metres <= radius:
                matches.append(Match(feedback, metres))
        matches.sort(key=lambda m: (m.metres, -(m.feedback.id or 0)))
    alike = await duplicates_repo.similar_in_commune(
        ctx.session, commune_code=commune_code, text_=text, category=category, since=since,
        person_id=person_id, unpinned_only=bool(location))
    return matches + [Match(feedback, None) for feedback, _ in alike]


def _box(here: tuple[float, float], metres: float) -> duplicates_repo.Box:
    lat, lon = here
    dlat = metres / _METRES_PER_DEGREE
    dlon = metres / (_METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return duplicates_repo.Box(south=lat - dlat, west=lon - dlon, north=lat + dlat,
                               east=lon + dlon)


def offer(ctx: Context, matches: list[Match], lead: str | None = None) -> list[Reply]:
    """Ask whether the problem is one of these; remember what was offered."""
    ctx.conversation.step = STEP
    draft = ctx.state.draft_as(FeedbackDraft)
    draft.scratch = Scratch()
    draft.duplicates = [(id_of(m.feedback), m.metres) for m in matches]
    lines = [ctx.t("duplicates.ask")]
    lines += [line(ctx, match) for match in matches]
    lines += ["", ctx.t("duplicates.explain")]
    if len(matches) == 1:
        follow = [Option(ctx.t("duplicates.follow_this"), f"{FOLLOW}{matches[0].feedback.id}")]
    else:
        follow = [Option(ctx.t("duplicates.follow_code", code=m.feedback.code),
                         f"{FOLLOW}{m.feedback.id}") for m in matches]
    options = (*follow, Option(ctx.t("duplicates.send_new"), SEND_NEW))
    token = ctx.issue_token(options, free_input=False)
    text = "\n".join(lines)
    return [TextReply(f"{lead}\n\n{text}" if lead else text, options, token=token)]


def line(ctx: Context, match: Match) -> str:
    """Code, short text, category and how far: never who sent it."""
    feedback = match.feedback
    if match.metres is not None:
        where = ctx.t("duplicates.metres", metres=max(10, round(match.metres / 10) * 10))
    else:
        where = ctx.t("duplicates.same_commune",
                      place=render.unit_label(ctx, feedback.commune_code))
    return ctx.t("duplicates.line", code=feedback.code,
                 text=render.excerpt(feedback.text, 60),
                 category=ctx.t(f"option.category.{feedback.category}"), where=where)


async def offered_again(ctx: Context) -> list[Match]:
    """What was offered, reloaded: only those still open."""
    matches = []
    for feedback_id, metres in ctx.state.draft_as(FeedbackDraft).duplicates:
        feedback = await feedback_repo.get(ctx.session, feedback_id)
        if feedback is not None and is_open(feedback.status):
            matches.append(Match(feedback, metres))
    return matches


async def on_answer(ctx: Context, event: Event, *, send: Send, back: Back) -> list[Reply]:
    """Follow the one picked (the draft goes), or send this feedback after all."""
    picked = fields.resolve_option(ctx, event)
    if picked == SEND_NEW:
        return await send()
    if not (isinstance(picked, str) and picked.startswith(FOLLOW)):
        key = picked.key if isinstance(picked, fields.Invalid) else "error.pick_option"
        return await reask(ctx, back, lead="⚠️ " + ctx.t(key))
    feedback = await feedback_repo.get(ctx.session, int(picked.removeprefix(FOLLOW)))
    if feedback is None or not is_open(feedback.status):
        code = feedback.code if feedback else "?"
        return back("⚠️ " + ctx.t("duplicates.closed_meanwhile", code=code))
    await followers_repo.follow(ctx.session, feedback=feedback, person_id=ctx.person.id or 0,
                                via=followers_repo.OFFER, now=to_db(ctx.now))
    reset_state(ctx, flow=None)
    return [TextReply("✅ " + ctx.t("duplicates.following", code=feedback.code,
                                    status=ctx.t(f"status.feedback.{feedback.status}")))]


async def reask(ctx: Context, back: Back, lead: str | None = None) -> list[Reply]:
    matches = await offered_again(ctx)
    if not matches:
        return back(lead)
    return offer(ctx, matches, lead)
