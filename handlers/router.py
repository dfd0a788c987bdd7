"""What happens to an event before a flow sees it: commands, the menu, actions, side questions.

Side questions (confirm a cancel, continue an old draft, pick a language) interrupt a flow
without losing it: once answered, the flow's current question is asked again. Feature commands
and action buttons come from `handlers/registry.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import replace

from handlers.abuse import muting
from handlers.clock import from_db
from handlers.commands import Command
from handlers.context import Context
from handlers.events import ChoiceEvent, CommandEvent, Event, TextEvent
from handlers.flow import Flow, reset_state
from handlers.i18n import LANGUAGES
from handlers.options import match_option
from handlers.replies import ACTION_TOKEN, MENU_TOKEN, Option, Reply, TextReply
from handlers.state import SideQuestion
from storage.repositories.officials import OFFICIAL_ROLES

log = logging.getLogger(__name__)

CORE_ALIASES = {"huy": "cancel", "quaylai": "back", "ngonngu": "language", "trogiup": "help"}
CORE_MENU = ("language",)
"""After the features' entries; the menu's "❓ Hướng dẫn" is the guide (handlers/guide.py), while
/help (/trogiup) still lists the commands."""

YES, NO = "yes", "no"
CONTINUE, RESTART = "continue", "restart"


async def route(ctx: Context, event: Event) -> list[Reply]:
    # A person an official muted hears of it first, once (handlers/abuse/muting.py).
    notice = await muting.tell_once(ctx) if ctx.person.muted_until else None
    replies = await _route(ctx, event)
    if notice is None:
        return replies
    if replies and isinstance(replies[-1], TextReply):  # one message: the notice, then the answer
        return [*replies[:-1], replace(replies[-1], text=f"{notice}\n\n{replies[-1].text}")]
    return [*replies, TextReply(notice)]


async def _route(ctx: Context, event: Event) -> list[Reply]:
    side = ctx.state.side
    if side and not isinstance(event, CommandEvent):
        answered = await _on_side_answer(ctx, event, side)
        if answered is not None:
            return answered
    if isinstance(event, CommandEvent):
        ctx.state.side = None
        return await on_command(ctx, event.name, event.args)
    if isinstance(event, ChoiceEvent) and event.token == MENU_TOKEN:
        return await on_command(ctx, event.value, "")
    if isinstance(event, ChoiceEvent) and event.token == ACTION_TOKEN:
        return await on_action(ctx, event.value)
    flow = current_flow(ctx)
    if flow is None:
        if isinstance(event, TextEvent) and (picked := _typed_pick(ctx, event.text)):
            return await picked
        return menu(ctx, lead=_idle_lead(ctx, event))
    if flow.has_progress(ctx) and _idle_too_long(ctx):
        return _ask_resume(ctx, flow)
    return await flow.handle(ctx, event)


def current_flow(ctx: Context) -> Flow | None:
    name = ctx.conversation.flow
    return ctx.features.flows.get(name) if name else None


async def on_command(ctx: Context, name: str, args: str) -> list[Reply]:
    name = CORE_ALIASES.get(name, name)
    flow = current_flow(ctx)
    if name == "cancel":
        if flow is None:
            return menu(ctx, lead=ctx.t("cancel.nothing"))
        return _side_question(ctx, "cancel", ctx.t("cancel.confirm"),
                              [(YES, "cancel.yes"), (NO, "cancel.no")])
    if name == "back":
        return await flow.back(ctx) if flow else menu(ctx, lead=ctx.t("back.nothing"))
    if name == "start" and args:
        for deep_link in ctx.features.deep_links:
            if (answer := await deep_link(ctx, args)) is not None:
                return await _then_reask(ctx, flow, answer)
    if name in ("start", "help"):
        return await _then_reask(ctx, flow, [TextReply(help_text(ctx))], with_menu=True)
    if name == "language":
        return _side_question(ctx, "language", ctx.t("language.ask"),
                              [(code, f"language.{code}") for code in LANGUAGES])
    command = ctx.features.commands.get(name)
    if command is None or not _allowed(ctx, command):
        lead = ctx.t("error.unknown_command", command=name[:40])
        return await _then_reask(ctx, flow, [TextReply(lead)], with_menu=True)
    if command.flow is not None:
        return await _start_flow(ctx, command.flow)
    assert command.run is not None
    return await _then_reask(ctx, flow, await command.run(ctx, args))


async def on_action(ctx: Context, payload: str) -> list[Reply]:
    name, *args = payload.split(":")
    action = ctx.features.actions.get(name)
    flow = current_flow(ctx)
    if action is None:
        log.warning("unknown action refused", extra={"action": name[:40],
                                                      "update_id": ctx.event.update_id})
        return await _then_reask(ctx, flow, [TextReply("⚠️ " + ctx.t("error.stale_button"))])
    return await _then_reask(ctx, flow, await action.run(ctx, args))


async def _then_reask(ctx: Context, flow: Flow | None, replies: list[Reply],
                      *, with_menu: bool = False) -> list[Reply]:
    """Show `replies`, then bring the person back to where they were."""
    if flow is not None:
        *head, last = replies
        if isinstance(last, TextReply) and not last.options:
            return head + await flow.reask(ctx, lead=last.text)
        return replies + await flow.reask(ctx)
    final = replies[-1] if replies else None
    if with_menu and isinstance(final, TextReply):
        return replies[:-1] + menu(ctx, lead=final.text)
    return replies


def help_text(ctx: Context) -> str:
    """The help, with the printable guides on the web (the officials' own too, for them)."""
    url = ctx.services.guides_url
    text = ctx.t("help.text") + "\n" + ctx.t("help.guides", url=url)
    if ctx.person.role in OFFICIAL_ROLES:
        text += "\n" + ctx.t("help.guides_official", url=f"{url}can-bo-hop-thu")
    return text


def _allowed(ctx: Context, command: Command) -> bool:
    return not command.roles or ctx.person.role in command.roles


async def _start_flow(ctx: Context, name: str) -> list[Reply]:
    flow = ctx.features.flows[name]
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


def _side_question(ctx: Context, kind: str, text: str,
                   choices: list[tuple[str, str]]) -> list[Reply]:
    options = tuple(Option(ctx.t(key), value) for value, key in choices)
    side = ctx.state.side
    flow_question = side.resume if side else ctx.state.question
    token = ctx.issue_token(options, free_input=False)
    ctx.state.side = SideQuestion(kind=kind, token=token, resume=flow_question)
    return [TextReply(text, options, token=token)]


async def _on_side_answer(ctx: Context, event: Event, side: SideQuestion) -> list[Reply] | None:
    """Handle the answer to a side question; None means the event was not an answer to it."""
    picked = _picked(ctx, event, side)
    if picked is None and side.kind == "cancel":
        # Discarding a draft must be a clear yes; anything unclear asks again.
        return _side_question(ctx, "cancel", "⚠️ " + ctx.t("cancel.unclear"),
                              [(YES, "cancel.yes"), (NO, "cancel.no")])
    ctx.state.side = None
    if picked is None:
        # The person moved on: restore the flow's question and treat the event as normal.
        ctx.state.question = side.resume
        return None
    flow = current_flow(ctx)
    kind = side.kind
    if kind == "cancel" and picked == YES:
        reset_state(ctx, flow=None)
        return menu(ctx, lead=ctx.t("cancel.done"))
    if kind == "resume" and picked == RESTART and flow is not None:
        return await flow.start(ctx)
    lead = None
    if kind == "language":
        ctx.person.language = picked
        ctx.t = ctx.t.in_language(picked)
        lead = ctx.t("language.set")
    elif kind == "cancel":
        lead = ctx.t("cancel.kept")
    if flow is None:
        return menu(ctx, lead=lead)
    return await flow.reask(ctx, lead=lead)


def _picked(ctx: Context, event: Event, side: SideQuestion) -> str | None:
    values = ctx.state.question.options
    if isinstance(event, ChoiceEvent):
        return event.value if event.token == side.token and event.value in values else None
    if not isinstance(event, TextEvent):
        return None
    labels = ctx.state.question.labels
    choices = [(v, labels.get(v, v)) for v in values]
    choices += [(v, word) for v in values if ctx.t.has(f"answer.words.{v}")
                for word in ctx.t(f"answer.words.{v}").split("|")]
    return match_option(text=event.text, options=choices, loose=True)


def menu(ctx: Context, lead: str | None = None) -> list[Reply]:
    """The main menu: what this person can do, as buttons (numbered lines where none exist)."""
    names = [c.name for c in ctx.features.menu if _allowed(ctx, c)] + list(CORE_MENU)
    options = tuple(Option(ctx.t(f"menu.{name}"), name) for name in names)
    text = ctx.t("menu.title")
    ctx.state.menu = names
    return [TextReply(f"{lead}\n\n{text}" if lead else text, options, token=MENU_TOKEN)]


def _typed_pick(ctx: Context, text: str) -> Awaitable[list[Reply]] | None:
    """Typed text outside a flow may name a menu entry or an offered action."""
    actions = ctx.state.actions
    if actions and (value := match_option(text, list(actions.items()), loose=True)):
        return on_action(ctx, value)
    names = ctx.state.menu or [c.name for c in ctx.features.menu] + list(CORE_MENU)
    picked = match_option(text, [(n, ctx.t(f"menu.{n}")) for n in names], loose=True)
    return on_command(ctx, picked, "") if picked else None


def _idle_lead(ctx: Context, event: Event) -> str | None:
    if isinstance(event, ChoiceEvent):
        return "⚠️ " + ctx.t("error.stale_button")
    return None


def _idle_too_long(ctx: Context) -> bool:
    return ctx.now - from_db(ctx.conversation.updated_at) > ctx.services.draft_resume_after
