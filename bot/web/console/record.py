"""A record on one screen: a feedback or a practice with its content, photos, map, full history
(who acted), internal notes, assignment, and the forms of every action the chat offers on it.

Loading goes through the chat's jurisdiction check (`desk_actions.record_for`); a refusal is a
403 page (the same for a record that does not exist, so ids cannot be probed), logged by the
policy and kept in the audit log. Actions are handled by `desk_actions`, which calls the chat's
own functions; the page then shows their first line as the outcome."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from bot.web.console.auth import MULTIPART, Desk, small_text
from bot.web.console.views import page
from bot.web.keys import SERVICES, SETTINGS
from handlers.abuse import flags as abuse_flags
from handlers.context import Context
from handlers.officials import assessment_view, audit, desk_actions, level_rules, render
from handlers.officials.desk_actions import FEEDBACK, PRACTICE, Outcome
from handlers.officials.jurisdiction import Refused, official_scope
from handlers.practice_form import PRACTICE_FORM
from handlers.summary import content_lines
from storage.media import MediaRejected, MediaUnavailable
from storage.media_copies import BadImage
from storage.models import Feedback, FeedbackStatus, Practice, PracticeStatus, is_open
from storage.repositories import (
    console_desk,
    criteria,
    feedback_flags,
    practice_life,
    practices,
    reviews,
)
from storage.repositories import feedback as feedback_repo
from storage.repositories import officials as officials_repo

MAX_PROOF_PHOTOS = 5


@dataclass(frozen=True)
class HistoryLine:
    when: str
    who: str
    what: str


def _id(request: web.Request, name: str = "item_id") -> int:
    return int(request.match_info[name])


async def refused_page(request: web.Request, desk: Desk, kind: str,
                       record_id: int) -> web.Response:
    await audit.record(desk.ctx, "console.refused", kind=kind, record_id=record_id,
                       detail=request.method)
    return page(request, desk, "console/error.html", status=403, reason="error.outside")


# -- pages -----------------------------------------------------------------------------------


async def feedback_page(request: web.Request, desk: Desk) -> web.Response:
    return await show_feedback(request, desk, _id(request))


async def practice_page(request: web.Request, desk: Desk) -> web.Response:
    return await show_practice(request, desk, _id(request))


async def show_feedback(request: web.Request, desk: Desk, feedback_id: int,
                        outcome: Outcome | None = None) -> web.Response:
    ctx, t = desk.ctx, desk.ctx.t
    feedback = await desk_actions.record_for(ctx, FEEDBACK, feedback_id, action="fb_open")
    if isinstance(feedback, Refused) or not isinstance(feedback, Feedback):
        return await refused_page(request, desk, FEEDBACK, feedback_id)
    if outcome is None:
        await audit.on_feedback(ctx, "feedback.view", feedback)
    events = await feedback_repo.events_of(ctx.session, feedback_id)
    actors = await officials_repo.people_by_id(
        ctx.session, [e.actor_id for e in events if e.actor_role != "reporter"])
    history = [HistoryLine(render.when(ctx, e.created_at), render.history_actor(ctx, t, e, actors),
                           render.history_what(ctx, t, e)) for e in events]
    flags = await feedback_flags.of_feedback(ctx.session, feedback_id)
    facts = [t("fbcard.status", status=t(f"status.feedback.{feedback.status}")),
             t("fbcard.category", category=t(f"option.category.{feedback.category}")),
             t("fbcard.place", place=render.unit_label(ctx, feedback.commune_code)),
             t("fbcard.sent", when=render.when(ctx, feedback.created_at)),
             render.sender_line(t, feedback)]
    if feedback.assigned_unit_code != feedback.commune_code:
        facts.append(t("fbcard.assigned", unit=render.unit_label(
            ctx, feedback.assigned_unit_code)))
    if feedback.satisfaction is not None:
        facts.append(t("fbcard.rating", rating=feedback.satisfaction))
    photos = [f"/console/feedback/{feedback_id}/photos/{p.id}.jpg"
              for p in await feedback_repo.photos_of(ctx.session, feedback_id)]
    scope = official_scope(ctx)
    assert scope is not None
    communes = ctx.units.communes(feedback.assigned_province_code)
    status = feedback.status
    return page(
        request, desk, "console/feedback.html", status=_status_of(outcome),
        record=feedback, kind_path="feedback", facts=facts,
        warnings=abuse_flags.lines(t, list(flags)),
        history=history, photos=photos, outcome=outcome,
        open=is_open(status), can_ack=status in (FeedbackStatus.NEW, FeedbackStatus.FORWARDED),
        can_progress=status in (FeedbackStatus.NEW, FeedbackStatus.FORWARDED,
                                FeedbackStatus.RECEIVED),
        communes=[(u.code, u.name) for u in communes if u.code != feedback.assigned_unit_code],
        **await _desk_extras(request, desk, FEEDBACK, feedback_id),
        map=_map(request, feedback.latitude, feedback.longitude))


async def show_practice(request: web.Request, desk: Desk, practice_id: int,
                        outcome: Outcome | None = None) -> web.Response:
    ctx, t = desk.ctx, desk.ctx.t
    practice = await desk_actions.record_for(ctx, PRACTICE, practice_id, action="pr_open")
    if isinstance(practice, Refused) or not isinstance(practice, Practice):
        return await refused_page(request, desk, PRACTICE, practice_id)
    if outcome is None:
        await audit.on_practice(ctx, "practice.view", practice)
    events = await reviews.events_of(ctx.session, practice_id)
    actors = await officials_repo.people_by_id(ctx.session, [e.actor_id for e in events])
    history = [HistoryLine(render.when(ctx, practice.created_at), practice.submitter_name,
                           t("prhistory.submitted_short") if t.has("prhistory.submitted_short")
                           else t("status.practice.submitted"))]
    history += [HistoryLine(render.when(ctx, e.created_at),
                            render.official_label(ctx, t, actors.get(e.actor_id))
                            if e.actor_id != practice.submitter_id else practice.submitter_name,
                            render.practice_event_what(t, e)) for e in events]
    recognitions = [t(f"level.{r.level}") + " · " + render.when(ctx, r.valid_until)
                    for r in await reviews.recognitions_of(ctx.session, practice_id)]
    photos = [f"/console/practices/{practice_id}/photos/{p.id}.jpg"
              for p in await practices.photos_of(ctx.session, practice_id)]
    return page(
        request, desk, "console/practice.html", status=_status_of(outcome),
        record=practice, kind_path="practices",
        status_label=t(f"status.practice.{practice.status}"),
        field_label=t(f"option.field.{practice.field}"),
        place=render.unit_label(ctx, practice.commune_code),
        content=content_lines(ctx, PRACTICE_FORM, practice.answers), history=history,
        assessment=assessment_view.section(
            t, await criteria.assessments_of(ctx.session, practice_id)),
        recognitions=recognitions, photos=photos, outcome=outcome,
        awaiting=practice.status == PracticeStatus.SUBMITTED,
        can_recognise=await level_rules.refusal(ctx, practice) is None,
        can_nominate=await level_rules.may_nominate(ctx, practice),
        level_lines=await level_rules.card_lines(ctx, practice),
        change_fields=[(s.name, t(f"practice.{s.name}.label"))
                       for s in PRACTICE_FORM.applicable(practice.answers)],
        adoptions=await _adoptions(ctx, practice),
        may_decide=practice.submitter_id != ctx.person.id,  # never on their own practice
        **await _desk_extras(request, desk, PRACTICE, practice_id),
        map=_map(request, practice.latitude, practice.longitude))


@dataclass(frozen=True)
class AdoptionLine:
    id: int
    name: str
    text: str
    hidden: bool


async def _adoptions(ctx: Context, practice: Practice) -> list[AdoptionLine]:
    """Its "nhân rộng" declarations, hidden ones marked (who declared is not shown)."""
    return [AdoptionLine(row.id or 0, row.collective_name, f"{row.collective_name} — "
                         f"{render.unit_label(ctx, row.commune_code)} "
                         f"({render.when(ctx, row.created_at)[:10]})", row.hidden_at is not None)
            for row in await practice_life.replications_of(ctx.session, practice.id or 0)]


def _status_of(outcome: Outcome | None) -> int:
    if outcome is None or outcome.done:
        return 200
    return 403 if outcome.refused else 400


def _map(request: web.Request, latitude: float | None, longitude: float | None
         ) -> dict[str, Any] | None:
    if latitude is None or longitude is None:
        return None
    settings = request.app[SETTINGS]
    return {"lat": latitude, "lon": longitude, "tiles": settings.web.map_tile_url or "",
            "attribution": settings.web.map_tile_attribution or ""}


async def _desk_extras(request: web.Request, desk: Desk, kind: str,
                       record_id: int) -> dict[str, Any]:
    """Notes, assignment, colleagues and the unit's reply templates."""
    ctx = desk.ctx
    scope = official_scope(ctx)
    assert scope is not None
    notes = await console_desk.notes_of(ctx.session, record_kind=kind, record_id=record_id)
    assignment = await console_desk.assignment_of(ctx.session, record_kind=kind,
                                                  record_id=record_id)
    people = await officials_repo.people_by_id(
        ctx.session, [n.author_id for n in notes]
        + ([assignment.assignee_id] if assignment else []))
    team = await console_desk.colleagues(ctx.session, level=scope.level,
                                         unit_code=scope.unit_code)
    return {
        "notes": [(render.official_label(ctx, ctx.t, people.get(n.author_id)),
                   render.when(ctx, n.created_at), n.text) for n in notes],
        "assignee": (render.official_label(ctx, ctx.t, people.get(assignment.assignee_id))
                     if assignment else None),
        "assignee_id": assignment.assignee_id if assignment else None,
        "team": [(p.id, p.display_name or f"#{p.id}") for p in team],
        "templates": await console_desk.templates_of(ctx.session, unit_code=scope.unit_code),
    }


# -- actions ---------------------------------------------------------------------------------


async def _form(request: web.Request) -> dict[str, Any]:
    if request.get(MULTIPART) is not None:
        return {}
    posted = await request.post()
    return {key: posted.getall(key) if key == "field" else posted.get(key)
            for key in set(posted)}


async def feedback_action(request: web.Request, desk: Desk) -> web.Response:
    feedback_id, verb = _id(request), request.match_info["verb"]
    if verb not in desk_actions.FEEDBACK_VERBS and verb not in ("note", "assign"):
        raise web.HTTPNotFound()
    if request.get(MULTIPART) is not None:
        form, proof, problem = await _proof_upload(request, desk)
        outcome = problem or await desk_actions.on_feedback(desk.ctx, feedback_id, verb, form,
                                                            proof)
    else:
        form = await _form(request)
        outcome = await _common(desk, FEEDBACK, feedback_id, verb, form) or \
            await desk_actions.on_feedback(desk.ctx, feedback_id, verb, form)
    if outcome.refused:
        return await refused_page(request, desk, FEEDBACK, feedback_id)
    if verb == "forward" and outcome.done:  # it has left this official's hands, maybe sight
        return page(request, desk, "console/done.html", outcome=outcome)
    return await show_feedback(request, desk, feedback_id, outcome)


async def practice_action(request: web.Request, desk: Desk) -> web.Response:
    practice_id, verb = _id(request), request.match_info["verb"]
    if verb not in desk_actions.PRACTICE_VERBS and verb not in ("note", "assign"):
        raise web.HTTPNotFound()
    form = await _form(request)
    outcome = await _common(desk, PRACTICE, practice_id, verb, form) or \
        await desk_actions.on_practice(desk.ctx, practice_id, verb, form,
                                       picked=list(form.get("field") or []))
    if outcome.refused:
        return await refused_page(request, desk, PRACTICE, practice_id)
    return await show_practice(request, desk, practice_id, outcome)


async def adoption_action(request: web.Request, desk: Desk) -> web.Response:
    """Hide or show a "nhân rộng" declaration (handlers/officials/adoptions.py)."""
    practice_id = _id(request)
    outcome = await desk_actions.on_adoption(desk.ctx, practice_id, _id(request, "adoption_id"),
                                             request.match_info["verb"])
    if outcome.refused:
        return await refused_page(request, desk, PRACTICE, practice_id)
    return await show_practice(request, desk, practice_id, outcome)


async def _common(desk: Desk, kind: str, record_id: int, verb: str,
                  form: dict[str, Any]) -> Outcome | None:
    if verb == "note":
        return await desk_actions.add_note(desk.ctx, kind, record_id, form.get("note"))
    if verb == "assign":
        return await desk_actions.assign(desk.ctx, kind, record_id, form.get("assignee"))
    return None


async def _proof_upload(request: web.Request, desk: Desk
                        ) -> tuple[dict[str, str], list[dict[str, Any]], Outcome | None]:
    """A resolve form with proof photos (multipart, read part by part after its CSRF field):
    each photo is kept by the media store as the chat keeps one (checked, metadata dropped)."""
    reader = request[MULTIPART]
    media = request.app[SERVICES].media
    form: dict[str, str] = {}
    proof: list[dict[str, Any]] = []
    problem: Outcome | None = None
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            break
        if part.name == "proof" and part.filename and len(proof) < MAX_PROOF_PHOTOS:
            data = await part.read_chunk(media.max_image_bytes + 1)
            while (more := await part.read_chunk()) and len(data) <= media.max_image_bytes:
                data += more
            if not data:
                continue
            try:
                stored = await asyncio.to_thread(media.save_image, data)
            except (MediaRejected, BadImage, MediaUnavailable):
                problem = Outcome("⚠️ " + desk.ctx.t("console.error.photo"), done=False)
                continue
            proof.append({"sha256": stored.sha256, "path": stored.path,
                          "mime_type": stored.mime_type, "size_bytes": stored.size_bytes,
                          "platform_file_id": None, "channel": "console"})
        elif part.name in ("answer", "no_proof_reason"):
            form[part.name] = await small_text(part)
        else:
            await part.release()
    return form, proof, problem


# -- photos ----------------------------------------------------------------------------------


async def feedback_photo(request: web.Request, desk: Desk) -> web.StreamResponse:
    feedback_id = _id(request)
    found = await desk_actions.record_for(desk.ctx, FEEDBACK, feedback_id, action="fb_open")
    if isinstance(found, Refused):
        return await refused_page(request, desk, FEEDBACK, feedback_id)
    wanted = _id(request, "photo_id")
    paths = [p.path for p in await feedback_repo.photos_of(desk.ctx.session, feedback_id)
             if p.id == wanted]
    return await _photo(request, paths)


async def practice_photo(request: web.Request, desk: Desk) -> web.StreamResponse:
    practice_id = _id(request)
    found = await desk_actions.record_for(desk.ctx, PRACTICE, practice_id, action="pr_open")
    if isinstance(found, Refused):
        return await refused_page(request, desk, PRACTICE, practice_id)
    wanted = _id(request, "photo_id")
    paths = [p.path for p in await practices.photos_of(desk.ctx.session, practice_id)
             if p.id == wanted]
    return await _photo(request, paths)


async def _photo(request: web.Request, paths: list[str]) -> web.StreamResponse:
    if not paths:
        raise web.HTTPNotFound()
    try:  # a clean copy (no metadata), never the original
        path = await asyncio.to_thread(request.app[SERVICES].media.photo_copy, paths[0], "large")
    except (FileNotFoundError, BadImage):
        raise web.HTTPNotFound() from None
    except MediaUnavailable:
        raise web.HTTPServiceUnavailable() from None
    return web.FileResponse(path, headers={"Content-Type": "image/jpeg",
                                           "Cache-Control": "private, no-store"})
