"""What an official does to a record from the web console, as the chat's buttons do it.

Each action calls the chat's own function (handlers/officials/feedback_actions.py, review.py,
changes.py, recognition.py) in a `desk_context`, so the jurisdiction policy, the separation of
duties, the state checks, the audit rows and the notices to the sender are the chat's, not a
copy. A form's answers are checked by the chat's own acceptors (handlers/fields.py). What the
console adds (internal notes, assignment, reply templates) is checked and audited here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers import fields
from handlers.clock import to_db
from handlers.context import Context
from handlers.events import TextEvent
from handlers.forms import FieldSpec, Form, Kind
from handlers.officials import adoptions, audit, changes, feedback_actions, levels, review
from handlers.officials.jurisdiction import (
    Refused,
    feedback_for_official,
    official_scope,
    practice_for_official,
    refuse,
)
from handlers.officials.level_rules import may_nominate, refusal
from handlers.practice_form import PRACTICE_FORM
from handlers.replies import Reply, TextReply
from handlers.state import ChangesDraft
from storage.models import Feedback, Practice, is_open
from storage.repositories import console_desk, practice_life

FEEDBACK, PRACTICE = "feedback", "practice"
NOTE_FORM = Form("console_note", (FieldSpec("note", Kind.TEXT, max_length=2000),))
TEMPLATE_FORM = Form("console_template", (FieldSpec("title", Kind.TEXT, max_length=100),
                                          FieldSpec("text", Kind.TEXT, max_length=2000)))
FEEDBACK_FORMS = {"reply": "fb_reply", "resolve": "fb_resolve", "reject": "fb_reject",
                  "forward": "fb_forward"}
FEEDBACK_VERBS = ("ack", "progress", *FEEDBACK_FORMS)
PRACTICE_VERBS = ("approve", "changes", "reject", "recognise", "nominate")


@dataclass(frozen=True)
class Outcome:
    """What the official is told: the chat's own first line (✅, ⚠️, ⛔ …)."""

    message: str
    done: bool
    refused: bool = False


def outcome_of(replies: list[Reply]) -> Outcome:
    texts = [r.text for r in replies if isinstance(r, TextReply)]
    text = texts[-1] if texts else ""
    first = text.split("\n\n", 1)[0]
    return Outcome(first, done=first.startswith(("✅", "🏅", "📤")),
                   refused=first.startswith("⛔"))


def _warning(ctx: Context, key: str, **params: Any) -> Outcome:
    return Outcome("⚠️ " + ctx.t(key, **params), done=False)


async def _accepted_text(ctx: Context, form: Form, spec: FieldSpec,
                         raw: str | None) -> str | Outcome | None:
    """A typed answer checked as the chat checks it; None for an optional one left empty."""
    if not (raw or "").strip() and not spec.required:
        return None
    outcome = await fields.accept(ctx, form, spec, TextEvent(ctx.event.sender, text=raw or ""))
    if isinstance(outcome, fields.Invalid):
        return Outcome("⚠️ " + ctx.t(outcome.key, **outcome.params), done=False)
    assert isinstance(outcome, fields.Accepted)
    return str(outcome.value)


async def _complete(ctx: Context, flow_name: str, target: int,
                    answers: dict[str, Any]) -> Outcome:
    """Finish a chat form in one go: what its summary's confirm button runs."""
    ctx.state.target = target
    flow = ctx.features.flows[flow_name]
    return outcome_of(await flow.on_complete(ctx, answers))  # type: ignore[attr-defined]


# -- feedback --------------------------------------------------------------------------------


async def on_feedback(ctx: Context, feedback_id: int, verb: str, form: dict[str, str],
                      proof: list[dict[str, Any]] | None = None) -> Outcome:
    args = [str(feedback_id)]
    if verb == "ack":
        return outcome_of(await feedback_actions.acknowledge(ctx, args))
    if verb == "progress":
        return outcome_of(await feedback_actions.set_status(ctx, [*args, "in_progress"]))
    flow_name = FEEDBACK_FORMS.get(verb)
    if flow_name is None:
        return outcome_of(refuse(ctx, action=f"console.{verb}", reason="malformed",
                                 item="feedback").replies)
    feedback = await feedback_for_official(ctx, args, action=f"fb_{verb}")
    if isinstance(feedback, Refused):
        return outcome_of(feedback.replies)
    if not is_open(feedback.status):
        return _warning(ctx, "fbact.closed")
    flow_form: Form = ctx.features.flows[flow_name].form  # type: ignore[attr-defined]
    answers = await _feedback_answers(ctx, verb, flow_form, form, proof or [])
    if isinstance(answers, Outcome):
        return answers
    return await _complete(ctx, flow_name, feedback_id, answers)


async def _feedback_answers(ctx: Context, verb: str, flow_form: Form, form: dict[str, str],
                            proof: list[dict[str, Any]]) -> dict[str, Any] | Outcome:
    specs = {spec.name: spec for spec in flow_form.fields}
    answers: dict[str, Any] = {}
    if verb == "forward":
        target = form.get("target")
        if target not in specs["target"].options:
            return _warning(ctx, "error.pick_option")
        answers["target"] = target
        if target == "commune":
            unit = ctx.units.get(form.get("unit") or "")
            if unit is None or unit.kind != "commune":
                return _warning(ctx, "console.error.unit")
            answers["unit"] = unit.code
        note = await _accepted_text(ctx, flow_form, specs["note"], form.get("note"))
        if isinstance(note, Outcome):
            return note
        answers["note"] = note
        return answers
    name = "reason" if verb == "reject" else "answer"
    text = await _accepted_text(ctx, flow_form, specs[name], form.get(name))
    if isinstance(text, Outcome):
        return text
    answers[name] = text
    if verb == "resolve":
        if proof:
            answers.update(proof_kind="photo", proof=proof[:specs["proof"].max_items])
        else:
            reason = await _accepted_text(ctx, flow_form, specs["no_proof_reason"],
                                          form.get("no_proof_reason"))
            if isinstance(reason, Outcome):
                return reason
            answers.update(proof_kind="none", no_proof_reason=reason)
    return answers


# -- practices -------------------------------------------------------------------------------


async def on_practice(ctx: Context, practice_id: int, verb: str,
                      form: dict[str, str], picked: list[str] | None = None) -> Outcome:
    args = [str(practice_id)]
    if verb == "approve":
        return outcome_of(await review.approve(ctx, args))
    if verb not in ("changes", "reject", "recognise", "nominate"):
        return outcome_of(refuse(ctx, action=f"console.{verb}", reason="malformed",
                                 item="practice").replies)
    action = {"recognise": "pr_rec"}.get(verb, f"pr_{verb}")
    practice = await practice_for_official(ctx, args, action=action)
    if isinstance(practice, Refused):
        return outcome_of(practice.replies)
    if verb == "recognise":
        return await _recognise(ctx, practice, form)
    if verb == "nominate":
        return await _nominate(ctx, practice, form)
    if verb == "reject":
        flow_form: Form = ctx.features.flows["pr_reject"].form  # type: ignore[attr-defined]
        reason = await _accepted_text(ctx, flow_form, flow_form.fields[0], form.get("reason"))
        if isinstance(reason, Outcome):
            return reason
        return await _complete(ctx, "pr_reject", practice_id, {"reason": reason})
    choices = [spec.name for spec in PRACTICE_FORM.applicable(practice.answers)]
    chosen = [name for name in dict.fromkeys(picked or []) if name in choices]
    if not chosen:
        return _warning(ctx, "pr_changes.need_field")
    note = await _accepted_text(ctx, changes.NOTE_FORM, changes.NOTE_FORM.fields[0],
                                form.get("note"))
    if isinstance(note, Outcome):
        return note
    ctx.state.target = practice_id
    ctx.state.draft = ChangesDraft(choices=choices, picked=chosen)
    ctx.answers["note"] = note
    return outcome_of(await changes.send_request(ctx))


async def _recognise(ctx: Context, practice: Practice, form: dict[str, str]) -> Outcome:
    """The chat's recognition form (handlers/officials/levels.py) in one go: the level's rules
    first, then the decision's number and date, and, when no residents' consultation has
    closed, the official's explicit "recognise anyway"."""
    if (why := await refusal(ctx, practice)) is not None:
        return Outcome("⚠️ " + why, done=False)
    flow = ctx.features.flows["pr_rec"]
    flow_form: Form = flow.form  # type: ignore[attr-defined]
    specs = {spec.name: spec for spec in flow_form.fields}
    answers: dict[str, Any] = await flow.prefill(ctx, practice.id or 0)  # type: ignore[attr-defined]
    if not answers.get("consulted"):
        if form.get("without_consultation") != levels.CONFIRM:
            return Outcome(ctx.t("pr_rec.without_consultation.ask"), done=False)
        answers["without_consultation"] = levels.CONFIRM
    for name in ("decision_number", "decision_date"):
        value = await _accepted_text(ctx, flow_form, specs[name], form.get(name))
        if isinstance(value, Outcome):
            return value
        answers[name] = value
    return await _complete(ctx, "pr_rec", practice.id or 0, answers)


async def _nominate(ctx: Context, practice: Practice, form: dict[str, str]) -> Outcome:
    if not await may_nominate(ctx, practice):
        return _warning(ctx, "levels.cannot_nominate")
    flow_form: Form = ctx.features.flows["pr_nominate"].form  # type: ignore[attr-defined]
    text = await _accepted_text(ctx, flow_form, flow_form.fields[0], form.get("justification"))
    if isinstance(text, Outcome):
        return text
    return await _complete(ctx, "pr_nominate", practice.id or 0, {"justification": text})


async def on_adoption(ctx: Context, practice_id: int, adoption_id: int, verb: str) -> Outcome:
    """Hide or show one of the practice's "nhân rộng" declarations: the chat's own action,
    after checking the declaration belongs to the practice in the URL."""
    row = await practice_life.get_replication(ctx.session, adoption_id)
    if row is None or row.practice_id != practice_id or verb not in ("hide", "show"):
        return outcome_of(refuse(ctx, action=f"console.adoption_{verb}", reason="not_found",
                                 item="adoption", item_id=adoption_id,
                                 message="officials.refused.outside").replies)
    run = adoptions.hide if verb == "hide" else adoptions.show
    return outcome_of(await run(ctx, [str(adoption_id)]))


# -- what the console adds: notes, assignment, templates -------------------------------------


async def record_for(ctx: Context, kind: str, record_id: int, *,
                     action: str) -> Feedback | Practice | Refused:
    """The record, if this official may see it (the chat's check; viewing only)."""
    if kind == PRACTICE:
        return await practice_for_official(ctx, [str(record_id)], action=action)
    return await feedback_for_official(ctx, [str(record_id)], action=action)


async def _audit(ctx: Context, action: str, record: Feedback | Practice,
                 detail: str | None = None) -> None:
    if isinstance(record, Practice):
        await audit.on_practice(ctx, action, record, detail)
    else:
        await audit.on_feedback(ctx, action, record, detail)


async def add_note(ctx: Context, kind: str, record_id: int, text: str | None) -> Outcome:
    record = await record_for(ctx, kind, record_id, action="pr_open" if kind == PRACTICE
                              else "fb_open")
    if isinstance(record, Refused):
        return outcome_of(record.replies)
    note = await _accepted_text(ctx, NOTE_FORM, NOTE_FORM.fields[0], text)
    if isinstance(note, Outcome):
        return note
    await console_desk.add_note(ctx.session, record_kind=kind, record_id=record_id,
                                author_id=ctx.person.id or 0, text=note or "",
                                now=to_db(ctx.now))
    await _audit(ctx, "console.note", record)
    return Outcome("✅ " + ctx.t("console.note.added"), done=True)


async def assign(ctx: Context, kind: str, record_id: int, assignee: str | None) -> Outcome:
    record = await record_for(ctx, kind, record_id, action=f"console.assign.{kind}")
    if isinstance(record, Refused):
        return outcome_of(record.replies)
    scope = official_scope(ctx)
    assert scope is not None
    team = {p.id: p for p in await console_desk.colleagues(
        ctx.session, level=scope.level, unit_code=scope.unit_code)}
    wanted = assignee or ""
    chosen = team.get(int(wanted)) if wanted.isdigit() and len(wanted) <= 12 else None
    if chosen is None or chosen.id is None:
        return _warning(ctx, "console.error.colleague")
    await console_desk.assign(ctx.session, record_kind=kind, record_id=record_id,
                              assignee_id=chosen.id, assigned_by=ctx.person.id or 0,
                              now=to_db(ctx.now))
    await _audit(ctx, "console.assign", record, detail=f"person:{chosen.id}")
    if chosen.id != ctx.person.id:
        code = record.code or ""
        ctx.notify(chosen.id, f"assign:{kind}:{record_id}:{to_db(ctx.now).isoformat()}",
                   [TextReply(ctx.t("console.assigned_to_you", code=code))])
    return Outcome("✅ " + ctx.t("console.assigned", name=chosen.display_name
                                 or f"#{chosen.id}"), done=True)


async def add_template(ctx: Context, title: str | None, text: str | None) -> Outcome:
    scope = official_scope(ctx)
    if scope is None:
        return outcome_of(refuse(ctx, action="console.template", reason="not_official").replies)
    checked = []
    for spec, raw in zip(TEMPLATE_FORM.fields, (title, text), strict=True):
        value = await _accepted_text(ctx, TEMPLATE_FORM, spec, raw)
        if isinstance(value, Outcome):
            return value
        checked.append(value or "")
    if len(await console_desk.templates_of(ctx.session, unit_code=scope.unit_code)) >= \
            console_desk.MAX_TEMPLATES:
        return _warning(ctx, "console.template.too_many", max=console_desk.MAX_TEMPLATES)
    template = await console_desk.add_template(
        ctx.session, unit_code=scope.unit_code, title=checked[0], text=checked[1],
        created_by=ctx.person.id or 0, now=to_db(ctx.now))
    await audit.record(ctx, "console.template", kind="template", record_id=template.id,
                       unit_code=scope.unit_code, detail="add")
    return Outcome("✅ " + ctx.t("console.template.added"), done=True)


async def remove_template(ctx: Context, template_id: int) -> Outcome:
    scope = official_scope(ctx)
    if scope is None:
        return outcome_of(refuse(ctx, action="console.template", reason="not_official").replies)
    if not await console_desk.remove_template(ctx.session, template_id=template_id,
                                              unit_code=scope.unit_code):
        return outcome_of(refuse(ctx, action="console.template", reason="outside",
                                 item="template", item_id=template_id).replies)
    await audit.record(ctx, "console.template", kind="template", record_id=template_id,
                       unit_code=scope.unit_code, detail="remove")
    return Outcome("✅ " + ctx.t("console.template.removed"), done=True)
