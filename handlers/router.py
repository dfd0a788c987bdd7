"""What happens to an event before a flow sees it: commands, the main menu, side questions.

Side questions (confirm a cancel, continue an old draft, pick a language) interrupt a flow
without losing it: once answered, the flow's current question is asked again.
"""

from __future__ import annotations

from handlers.clock import from_db
from handlers.context import Context
from handlers.events import ChoiceEvent, CommandEvent, Event, TextEvent
from handlers.flow import Flow, reset_state
from handlers.i18n import LANGUAGES, Translator
from handlers.options import match_option
from handlers.replies import Option, Reply, TextReply
from storage.repositories import practices

MENU_TOKEN = "m"
ALIASES = {
    "mohinh": "submit", "huy": "cancel", "quaylai": "back", "ngonngu": "language",
    "trogiup": "help", "cuatoi": "my", "phananh": "feedback", "tracuu": "status",
}
FLOW_COMMANDS = {"submit": "practice"}
MENU = ("submit", "my", "language", "help")

YES, NO = "yes", "no"
CONTINUE, RESTART = "continue", "restart"


async def route(ctx: Context, event: Event) -> list[Reply]:
    side = ctx.state.get("side")
    if side and not isinstance(event, CommandEvent):
        answered = await _on_side_answer(ctx, event, side)
        if answered is not None:
            return answered
    if isinstance(event, CommandEvent):
        ctx.state.pop("side", None)
        return await on_command(ctx, ALIASES.get(event.name, event.name), event.args)
    if isinstance(event, ChoiceEvent) and event.token == MENU_TOKEN and event.value in MENU:
        return await on_command(ctx, event.value, "")
    flow = current_flow(ctx)
    if flow is None:
        if isinstance(event, TextEvent) and (picked := _menu_pick(ctx, event.text)):
            return await on_command(ctx, picked, "")
        return _menu(ctx, lead=_idle_lead(ctx, event))
    if flow.has_progress(ctx) and _idle_too_long(ctx):
        return _ask_resume(ctx, flow)
    return await flow.handle(ctx, event)


def current_flow(ctx: Context) -> Flow | None:
    name = ctx.conversation.flow
    return ctx.services.flows.get(name) if name else None


async def on_command(ctx: Context, name: str, args: str) -> list[Reply]:
    flow = current_flow(ctx)
    if name in FLOW_COMMANDS:
        return await _start_flow(ctx, FLOW_COMMANDS[name])
    if name == "cancel":
        if flow is None:
            return _menu(ctx, lead=ctx.t("cancel.nothing"))
        return _side_question(ctx, "cancel", ctx.t("cancel.confirm"),
                              [(YES, "cancel.yes"), (NO, "cancel.no")])
    if name == "back":
        return await flow.back(ctx) if flow else _menu(ctx, lead=ctx.t("back.nothing"))
    if name in ("start", "help"):
        lead = ctx.t("help.text")
        return await flow.reask(ctx, lead=lead) if flow else _menu(ctx, lead=lead)
    if name == "language":
        return _side_question(ctx, "language", ctx.t("language.ask"),
                              [(code, f"language.{code}") for code in LANGUAGES])
    if name == "my":
        lead = await _my_practices(ctx)
        return await flow.reask(ctx, lead=lead) if flow else [TextReply(lead)]
    lead = ctx.t("error.unknown_command", command=name[:40])
    return await flow.reask(ctx, lead=lead) if flow else _menu(ctx, lead=lead)


async def _start_flow(ctx: Context, name: str) -> list[Reply]:
    flow = ctx.services.flows[name]
    active = current_flow(ctx)
    if active is None:
        return await flow.start(ctx)
    if active.name != name:
        busy = ctx.t("flow.busy", flow=ctx.t(f"flow.name.{active.name}"))
        return await active.reask(ctx, lead=busy)
    if active.has_progress(ctx):
        return _ask_resume(ctx, active)
    return await flow.start(ctx)


def _ask_resume(ctx: Context, flow: Flow) -> list[Reply]:
    since = ctx.local(from_db(ctx.conversation.started_at or ctx.conversation.updated_at))
    text = ctx.t("draft.resume", flow=ctx.t(f"flow.name.{flow.name}"),
                 since=since.strftime("%d/%m/%Y %H:%M"))
    return _side_question(ctx, "resume", text,
                          [(CONTINUE, "draft.continue"), (RESTART, "draft.restart")])


def _side_question(ctx: Context, kind: str, text: str, choices: list[tuple[str, str]]) -> list[Reply]:
    options = tuple(Option(ctx.t(key), value) for value, key in choices)
    flow_question = {k: ctx.state.get(k) for k in ("token", "options", "labels", "free_input")}
    token = ctx.issue_token(options, free_input=False)
    ctx.state["side"] = {"kind": kind, "token": token, "resume": flow_question}
    return [TextReply(text, options, token=token)]


async def _on_side_answer(ctx: Context, event: Event, side: dict) -> list[Reply] | None:
    """Handle the answer to a side question; None means the event was not an answer to it."""
    picked = _picked(ctx, event, side)
    if picked is None and side["kind"] == "cancel":
        # Discarding a draft must be a clear yes; anything unclear asks again.
        return _side_question(ctx, "cancel", "⚠️ " + ctx.t("cancel.unclear"),
                              [(YES, "cancel.yes"), (NO, "cancel.no")])
    if picked is None:
        # The person moved on: forget the side question and treat the event as a normal one.
        ctx.state.pop("side", None)
        ctx.state.update(side.get("resume") or {})
        return None
    ctx.state.pop("side", None)
    flow = current_flow(ctx)
    kind = side["kind"]
    if kind == "cancel" and picked == YES:
        reset_state(ctx, flow=None)
        return _menu(ctx, lead=ctx.t("cancel.done"))
    if kind == "resume" and picked == RESTART and flow is not None:
        return await flow.start(ctx)
    lead = None
    if kind == "language":
        ctx.person.language = picked
        ctx.t = Translator(picked)
        lead = ctx.t("language.set")
    elif kind == "cancel":
        lead = ctx.t("cancel.kept")
    if flow is None:
        return _menu(ctx, lead=lead)
    return await flow.reask(ctx, lead=lead)


def _picked(ctx: Context, event: Event, side: dict) -> str | None:
    values = ctx.state.get("options") or []
    if isinstance(event, ChoiceEvent):
        return event.value if event.token == side["token"] and event.value in values else None
    text = getattr(event, "text", None)
    if text is None:
        return None
    labels = ctx.state.get("labels") or {}
    choices = [(v, labels.get(v, v)) for v in values]
    choices += [(v, word) for v in values for word in ctx.t(f"answer.words.{v}").split("|")
                if ctx.t.has(f"answer.words.{v}")]
    return match_option(text, choices, loose=True)


def _menu(ctx: Context, lead: str | None = None) -> list[Reply]:
    options = tuple(Option(ctx.t(f"menu.{value}"), value) for value in MENU)
    text = ctx.t("menu.title")
    return [TextReply(f"{lead}\n\n{text}" if lead else text, options, token=MENU_TOKEN)]


def _menu_pick(ctx: Context, text: str) -> str | None:
    return match_option(text, [(v, ctx.t(f"menu.{v}")) for v in MENU], loose=True)


def _idle_lead(ctx: Context, event: Event) -> str | None:
    if isinstance(event, ChoiceEvent):
        return "⚠️ " + ctx.t("error.stale_button")
    return None


def _idle_too_long(ctx: Context) -> bool:
    return ctx.now - from_db(ctx.conversation.updated_at) > ctx.services.draft_resume_after


async def _my_practices(ctx: Context) -> str:
    mine = await practices.list_for_submitter(ctx.session, person_id=ctx.person.id)
    if not mine:
        return ctx.t("my.none")
    lines = [ctx.t("my.title", count=len(mine))]
    for practice in mine:
        title = practice.title if len(practice.title) <= 80 else practice.title[:80] + "…"
        lines.append(ctx.t("my.item", code=practice.code, title=title,
                           status=ctx.t(f"status.practice.{practice.status}")))
    return "\n".join(lines)

