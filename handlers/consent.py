"""The privacy notice, and the person's consent to it.

Before the first question of a form that collects personal data (a field declared
``personal=True``: a name, a phone number, a photo, a place), a person who has not agreed to
the current version of the notice sees it with "Đồng ý" / "Không đồng ý". The flow engine does
this for every form and every channel (`handlers/flow.py`); no channel knows about it.
Declining keeps the anonymous path of a form that has one (`Form.without_personal_data`, the
answers that make it anonymous: feedback); a form without one explains and stops. The notice's
text and version live in the catalogues (``privacy.notice``, ``privacy.version``).
/quyenriengtu (/privacy) shows the full notice and the person's answer at any time.
"""

from __future__ import annotations

from handlers.clock import to_db
from handlers.commands import Action, Command
from handlers.context import Context
from handlers.forms import FieldSpec
from handlers.i18n import Translator
from handlers.replies import Option, Reply, TextReply
from storage.models import ConsentDecision
from storage.repositories import consents

STEP = "__consent__"
AGREE, DECLINE = "consent_yes", "consent_no"


def current_version() -> str:
    """The notice's version, from the Vietnamese catalogue (the English one must match)."""
    return Translator("vi")("privacy.version")


def has_consented(ctx: Context) -> bool:
    return ctx.person.consent_version == current_version()


def needs_notice(ctx: Context, spec: FieldSpec) -> bool:
    return spec.personal and not has_consented(ctx)


def ask(ctx: Context, pending: str, lead: str | None = None) -> list[Reply]:
    """Show the notice; `pending` is the personal question asked once the person answers."""
    ctx.conversation.step = STEP
    ctx.state.consent_for = pending
    options = (Option(ctx.t("privacy.agree"), AGREE), Option(ctx.t("privacy.decline"), DECLINE))
    text = ctx.t("privacy.notice", version=current_version(),
                 days=ctx.services.retention_days)
    token = ctx.issue_token(options, free_input=False)
    return [TextReply(f"{lead}\n\n{text}" if lead else text, options, token=token)]


async def give(ctx: Context) -> None:
    await consents.record(ctx.session, person=ctx.person, version=current_version(),
                          decision=ConsentDecision.GIVEN, channel=ctx.account.channel,
                          now=to_db(ctx.now))


async def decline(ctx: Context) -> None:
    await consents.record(ctx.session, person=ctx.person, version=current_version(),
                          decision=ConsentDecision.DECLINED, channel=ctx.account.channel,
                          now=to_db(ctx.now))


# -- /quyenriengtu (/privacy) ------------------------------------------------------------------


def _status(ctx: Context) -> str:
    if has_consented(ctx):
        return ctx.t("privacy.status_given", version=current_version())
    return ctx.t("privacy.status_none")


async def privacy_command(ctx: Context, args: str) -> list[Reply]:
    text = ctx.t("privacy.full", version=current_version(), days=ctx.services.retention_days)
    text += "\n\n" + _status(ctx)
    if has_consented(ctx):
        options = [Option(ctx.t("privacy.withdraw"), "consent:withdraw")]
    else:
        options = [Option(ctx.t("privacy.agree"), "consent:give")]
    return [TextReply(text, tuple(options), token=ctx.offer_actions(options))]


async def consent_action(ctx: Context, args: list[str]) -> list[Reply]:
    """``consent:give`` / ``consent:withdraw`` from the /privacy message."""
    wanted = args[0] if args else ""
    if wanted == "give" and not has_consented(ctx):
        await give(ctx)
        return [TextReply("✅ " + ctx.t("privacy.given"))]
    if wanted == "withdraw" and has_consented(ctx):
        await consents.record(ctx.session, person=ctx.person, version=current_version(),
                              decision=ConsentDecision.WITHDRAWN, channel=ctx.account.channel,
                              now=to_db(ctx.now))
        return [TextReply("✅ " + ctx.t("privacy.withdrawn"))]
    return [TextReply(_status(ctx))]


COMMANDS = [Command("privacy", aliases=("quyenriengtu",), run=privacy_command)]
ACTIONS = [Action("consent", consent_action)]
